from services.auth import domain


def test_codes_are_six_random_digits():
    codes = {domain.new_verification_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 190  # random, not a counter


def test_code_hash_is_keyed_and_bound_to_the_email():
    h = domain.hash_code("secret", "a@b.fr", "123456")
    assert len(h) == 64 and "123456" not in h
    assert h != domain.hash_code("other-secret", "a@b.fr", "123456")
    assert h != domain.hash_code("secret", "c@d.fr", "123456")
    assert h == domain.hash_code("secret", "a@b.fr", "123456")


def test_emails_are_compared_case_insensitively_and_checked():
    assert domain.normalise_email("  Jean.Dupont@ARS.Sante.FR ") == "jean.dupont@ars.sante.fr"
    assert domain.is_valid_email("jean.dupont@ars.sante.fr")
    for bad in ("", "jean", "jean@", "@ars.fr", "jean dupont@ars.fr", "a@b", "x" * 250 + "@ars.fr"):
        assert not domain.is_valid_email(bad), bad
