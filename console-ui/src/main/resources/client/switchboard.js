// Switchboard browser client: see docs/client-js.md
