-- With --db-error accept, the same message passes unchecked and unsigned.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
local conn = t.connect("192.0.2.10", "NODB_ACCEPT")
t.mail(conn, "alice@example.se")
local r, stage = t.message(conn, {{"From", "bob@example.se"}}, "x\r\n")
t.expect("passed unchecked", r, stage, SMFIR_ACCEPT, "eom")
t.unsigned("the message", conn)
mt.disconnect(conn)
