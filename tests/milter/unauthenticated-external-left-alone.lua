-- Mail from an outside client without a login is neither checked nor
-- signed: accepted as it is, whatever its From.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
local conn = t.connect("192.0.2.77")
t.expect("MAIL continued", t.mail(conn, nil), "mail", SMFIR_CONTINUE, "mail")
local r, stage = t.message(conn, {{"From", "a@example.se, b@example.se"}},
                           "x\r\n")
t.expect("left alone", r, stage, SMFIR_ACCEPT, "eom")
t.unsigned("left alone", conn)
mt.disconnect(conn)
