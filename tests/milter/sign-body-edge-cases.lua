-- Bodies that canonicalization must get right: trailing white space,
-- long lines, a body of only empty lines, 8-bit text, a big body. Each
-- is signed; the driver verifies each independently. (An empty body is
-- tested through Postfix: miltertest sends a body of its own when a
-- script sends none.)
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
local h = {{"From", "alice@example.se"}, {"To", "x@elsewhere.example"},
           {"Subject", "edge   case  \t"}}
t.signs("body-trailing-space", "192.0.2.10", "alice@example.se", h,
        "line with spaces   \r\n\ttab line\t\t\r\n  \r\nend \r\n\r\n\r\n")
t.signs("body-long-lines", "192.0.2.10", "alice@example.se", h,
        string.rep("x", 5000) .. "\r\n" .. string.rep("y  ", 3000) .. "\r\n")
t.signs("body-empty-lines", "192.0.2.10", "alice@example.se", h,
        "\r\n\r\n \r\n")
t.signs("body-8bit", "192.0.2.10", "alice@example.se", h,
        "\195\165\195\164\195\182 \226\130\172 \255\254\r\n")
t.signs("body-big", "192.0.2.10", "alice@example.se", h,
        string.rep("0123456789 abcdefghij  \r\n", 400000))
