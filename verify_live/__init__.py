"""The live verification kit: settles the connector's assumptions about the Aha! API on a real
account.

The connector's incremental correctness rests on documented-but-unverified behaviour (README,
"Assumptions about the Aha! API"). Nobody who builds it has an Aha! account, so this package is
the tool that answers those questions on the first (sandbox) account it meets:
`python -m verify_live --config secrets/config.json [--allow-writes] [--burst N]` prints one
verdict per assumption (confirmed / refuted / could not test) with the evidence. It writes to the
account only with `--allow-writes`, and then cleans up everything it created. See
docs/verify-live.md.
"""

# Every record the kit creates carries this in its name or body, so a later run can find and
# delete what an interrupted run left behind.
MARKER = "[source-aha verify-live]"
# Aha!'s search (`q=`) may drop punctuation, so leftovers are searched without the brackets.
MARKER_SEARCH = "source-aha verify-live"
