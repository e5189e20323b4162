-- A login in a domain without a DKIM key passes unsigned.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
local conn = t.connect("192.0.2.10")
t.mail(conn, "eve@other.example")
local r, stage = t.message(conn, {{"From", "eve@other.example"}}, "x\r\n")
t.expect("no key, not signed", r, stage, SMFIR_ACCEPT, "eom")
t.unsigned("the message", conn)
mt.disconnect(conn)
