-- Mail from an outside client without a login is neither checked nor
-- signed: accepted at MAIL FROM.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
local conn = t.connect("192.0.2.77")
t.expect("left alone", t.mail(conn, nil), "mail", SMFIR_ACCEPT, "mail")
mt.disconnect(conn)
