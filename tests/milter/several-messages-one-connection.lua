-- State is per message: on one connection a refused message, then a
-- signed one, then one from another login.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
local conn = t.connect("192.0.2.10")
t.mail(conn, "alice@example.se")
local r, stage = t.message(conn, {{"From", "bob@example.se"}}, "x\r\n")
t.expect("first refused", r, stage, SMFIR_REPLYCODE, "eom")
t.mail(conn, "alice@example.se")
r, stage = t.message(conn, {{"From", "alice@example.se"}}, "x\r\n")
t.expect("second signed", r, stage, SMFIR_ACCEPT, "eom")
if t.signed(conn) == nil then t.fail("second not signed") end
t.mail(conn, "bob@example.se")
r, stage = t.message(conn, {{"From", "bob@example.se"}}, "x\r\n")
t.expect("third, another login", r, stage, SMFIR_ACCEPT, "eom")
mt.disconnect(conn)
