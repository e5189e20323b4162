-- The milter asks the MTA to leave out the steps it does not need and
-- every reply before the end of the message, and still gets the header
-- fields, the body and MAIL FROM (where {auth_authen} comes).
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
local conn = t.connect("192.0.2.10")
for _, o in ipairs({{"SMFIP_NOHELO", SMFIP_NOHELO},
                    {"SMFIP_NORCPT", SMFIP_NORCPT},
                    {"SMFIP_NODATA", SMFIP_NODATA},
                    {"SMFIP_NOUNKNOWN", SMFIP_NOUNKNOWN},
                    {"SMFIP_NOEOH", SMFIP_NOEOH},
                    {"SMFIP_NR_CONN", SMFIP_NR_CONN},
                    {"SMFIP_NR_MAIL", SMFIP_NR_MAIL},
                    {"SMFIP_NR_HDR", SMFIP_NR_HDR},
                    {"SMFIP_NR_BODY", SMFIP_NR_BODY}}) do
    if not mt.test_option(conn, o[2]) then
        t.fail(o[1] .. " not negotiated")
    end
end
t.ok("skipped steps and replies negotiated")
for _, o in ipairs({{"SMFIP_NOMAIL", SMFIP_NOMAIL},
                    {"SMFIP_NOHDRS", SMFIP_NOHDRS},
                    {"SMFIP_NOBODY", SMFIP_NOBODY}}) do
    if mt.test_option(conn, o[2]) then
        t.fail(o[1] .. " negotiated: the milter needs that step")
    end
end
t.ok("MAIL FROM, header fields and body still sent")
-- Without the end-of-header step the From rules still hold ...
t.expect("MAIL FROM continued", t.mail(conn, "alice@example.se"),
         "mail", SMFIR_CONTINUE, "mail")
local r, stage = t.message(conn, {{"From", "bob@example.se"}}, "x\r\n")
t.expect("other account's From refused", r, stage, SMFIR_REPLYCODE, "eom")
-- ... and a message is signed.
t.mail(conn, "alice@example.se")
r, stage = t.message(conn, {{"From", "alice@example.se"}}, "x\r\n")
t.expect("own From signed", r, stage, SMFIR_ACCEPT, "eom")
if t.signed(conn) == nil then t.fail("not signed") end
mt.disconnect(conn)
