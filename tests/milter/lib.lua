-- lib.lua - helpers for the miltertest scripts of postkontor-milter
--
-- Each script: local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
-- The driver (tests/integration/t-milter-rules.sh) sets MILTER_SOCKET
-- (and MILTER_SOCKET_<NAME> for milters started with other options) and
-- OUT_DIR, where signed messages are saved for an independent verifier.
-- A failure prints "FAIL ..." and exits 1: miltertest does not print
-- the text of error().

local t = {}

function t.fail(msg)
    mt.echo("FAIL " .. msg)
    os.exit(1)
end

function t.ok(msg)
    mt.echo("ok   " .. msg)
end

-- connect: a connection from a client at ip, to the named milter
function t.connect(ip, name)
    local sock = os.getenv(name and ("MILTER_SOCKET_" .. name) or "MILTER_SOCKET")
    local conn = mt.connect(sock, 40, 0.25)
    if conn == nil then
        t.fail("cannot connect to " .. tostring(sock))
    end
    mt.conninfo(conn, "client.example", ip)
    if mt.getreply(conn) ~= SMFIR_CONTINUE then
        t.fail("connect not continued")
    end
    return conn
end

-- mail: MAIL FROM, with a SASL login or without; the reply
function t.mail(conn, login)
    if login then
        mt.macro(conn, SMFIC_MAIL, "i", "TESTQ1", "{auth_authen}", login)
    else
        mt.macro(conn, SMFIC_MAIL, "i", "TESTQ1")
    end
    mt.mailfrom(conn, "<envelope@example.org>")
    return mt.getreply(conn)
end

-- message: header fields, body; the reply and the stage that gave it
function t.message(conn, headers, body)
    local r
    for _, h in ipairs(headers) do
        mt.header(conn, h[1], h[2])
        r = mt.getreply(conn)
        if r ~= SMFIR_CONTINUE then
            return r, "header"
        end
    end
    -- The milter skips the end of the header (SMFIP_NOEOH): its first
    -- body piece, or the end of the message, ends the header.
    if not mt.test_option(conn, SMFIP_NOEOH) then
        mt.eoh(conn)
        r = mt.getreply(conn)
        if r ~= SMFIR_CONTINUE then
            return r, "eoh"
        end
    end
    local pos = 1
    while pos <= #body do
        mt.bodystring(conn, string.sub(body, pos, pos + 65000 - 1))
        pos = pos + 65000
        r = mt.getreply(conn)
        if r ~= SMFIR_CONTINUE then
            return r, "body"
        end
    end
    mt.eom(conn)
    return mt.getreply(conn), "eom"
end

-- signed: the DKIM-Signature field the milter added, or nil
function t.signed(conn)
    if not mt.eom_check(conn, MT_HDRINSERT, "DKIM-Signature") then
        return nil
    end
    return mt.getheader(conn, "DKIM-Signature", 0)
end

-- save: the message as delivered, for the verifier
function t.save(name, sig, headers, body)
    local f = io.open(os.getenv("OUT_DIR") .. "/" .. name .. ".eml", "wb")
    f:write("DKIM-Signature: " .. sig .. "\r\n")
    for _, h in ipairs(headers) do
        f:write(h[1] .. ": " .. h[2] .. "\r\n")
    end
    f:write("\r\n" .. body)
    f:close()
end

-- expect: a reply at a stage, or fail
function t.expect(what, r, stage, want_r, want_stage)
    if r ~= want_r or stage ~= want_stage then
        t.fail(what .. ": reply " .. tostring(r) .. " at " .. stage ..
               ", expected " .. tostring(want_r) .. " at " .. want_stage)
    end
    t.ok(what)
end

-- unsigned: the milter added no DKIM-Signature to the message
function t.unsigned(what, conn)
    if mt.eom_check(conn, MT_HDRINSERT, "DKIM-Signature") then
        t.fail(what .. ": signed")
    end
    t.ok(what .. ": not signed")
end

-- refused: a login's message is refused. The milter asks the MTA for no
-- reply before the end of the message, so every verdict comes there.
function t.refused(what, login, headers)
    local conn = t.connect("192.0.2.10")
    t.expect(what .. ": MAIL", t.mail(conn, login), "mail", SMFIR_CONTINUE, "mail")
    local r, stage = t.message(conn, headers, "body\r\n")
    t.expect(what, r, stage, SMFIR_REPLYCODE, "eom")
    mt.disconnect(conn)
end

-- signs: a message is accepted and signed; saved as name.eml
function t.signs(name, ip, login, headers, body)
    local conn = t.connect(ip)
    t.mail(conn, login)
    local r, stage = t.message(conn, headers, body)
    t.expect(name, r, stage, SMFIR_ACCEPT, "eom")
    local sig = t.signed(conn)
    if sig == nil then
        t.fail(name .. ": no DKIM-Signature added")
    end
    t.save(name, sig, headers, body)
    mt.disconnect(conn)
    return sig
end

return t
