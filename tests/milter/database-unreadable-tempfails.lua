-- When the database cannot be read, a login's mail is refused for now
-- (fail-closed), never accepted unchecked.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
local conn = t.connect("192.0.2.10", "NODB")
t.mail(conn, "alice@example.se")
local r, stage = t.message(conn, {{"From", "alice@example.se"}}, "x\r\n")
t.expect("temporary failure", r, stage, SMFIR_REPLYCODE, "eom")
mt.disconnect(conn)
