"""Test support shared by `unit_tests` and `integration_tests`.

`streams` is the hand-written promise (which streams, sync modes, cursors, keys, settings);
`resources` reads each stream's endpoint facts from `manifest.yaml`, where they are written once;
`catalog` builds configured catalogs from the promise; `ports` gives loopback ports that refuse
or drop connections.
"""
