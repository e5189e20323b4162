-- Mail from an internal client (loopback) without a login is signed but
-- not held to the From rules.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
t.signs("internal", "127.0.0.1", nil,
        {{"From", "bob@example.se"}, {"Subject", "cron"}}, "report\r\n")
local conn = t.connect("127.0.0.1")
t.mail(conn, nil)
local r, stage = t.message(conn, {{"From", "a@example.se, b@example.se"}},
                           "x\r\n")
t.expect("internal, unclear From: passed unsigned", r, stage, SMFIR_ACCEPT,
         "eom")
t.unsigned("the message", conn)
mt.disconnect(conn)
