-- An address shown in the display name that is not the real one is
-- refused: in clear text, quoted, in a comment, in encoded words.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
t.refused("clear", "alice@example.se",
          {{"From", "bob@example.se <alice@example.se>"}})
t.refused("quoted", "alice@example.se",
          {{"From", "\"Bob <bob@example.se>\" <alice@example.se>"}})
t.refused("comment", "alice@example.se",
          {{"From", "alice@example.se (bob@example.se)"}})
t.refused("encoded word Q", "alice@example.se",
          {{"From", "=?utf-8?Q?bob=40example.se?= <alice@example.se>"}})
t.refused("encoded word B", "alice@example.se",
          {{"From", "=?utf-8?B?Ym9iQGV4YW1wbGUuc2U=?= <alice@example.se>"}})
-- Its own address as the display name is fine.
local conn = t.connect("192.0.2.10")
t.mail(conn, "alice@example.se")
local r, stage = t.message(conn,
    {{"From", "\"alice@example.se\" <alice@example.se>"}}, "x\r\n")
t.expect("own address as display name", r, stage, SMFIR_ACCEPT, "eom")
mt.disconnect(conn)
