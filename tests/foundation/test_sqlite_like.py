from vpr_portal.sqlite import unicode_like


def test_like_matches_cyrillic_without_regard_to_case():
    assert unicode_like("%лицей%", "МАОУ «Лицей № 1»")
    assert unicode_like("%ЁЖ%", "ёжик")
    assert not unicode_like("%гимназия%", "МАОУ «Лицей № 1»")


def test_like_wildcards_and_escapes_keep_their_meaning():
    assert unicode_like("a_c", "abc")
    assert not unicode_like("a_c", "abbc")
    assert unicode_like("100\\%", "100%", "\\")
    assert not unicode_like("100\\%", "1000", "\\")
    assert unicode_like("%\\_%", "a_b", "\\")
    assert not unicode_like("%\\_%", "ab", "\\")
    assert unicode_like(None, "x") is None
