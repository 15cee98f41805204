from collections import Counter

import pytest

from vouchers.codes import (
    DIGIT_ALPHABET,
    MIXED_ALPHABET,
    CodeFormat,
    CodeFormatError,
    looks_like_code,
    normalise,
    random_pins,
    random_strings,
)


def test_alphabet_has_no_look_alikes():
    for confusable in "0O1IL":
        assert confusable not in MIXED_ALPHABET
        assert confusable not in DIGIT_ALPHABET


def test_random_strings_use_only_the_alphabet_and_every_character():
    # when 20,000 codes are drawn
    codes = random_strings(20_000, 8)

    # then each has 8 characters from the alphabet, and all letters appear about evenly
    assert len(codes) == 20_000
    assert all(len(code) == 8 for code in codes)
    counts = Counter("".join(codes))
    assert set(counts) == set(MIXED_ALPHABET)
    expected = 20_000 * 8 / len(MIXED_ALPHABET)
    assert all(abs(count - expected) < expected * 0.1 for count in counts.values())
    assert len(set(codes)) == 20_000


def test_pins_are_digits():
    pins = random_pins(500, 6)
    assert all(pin.isdigit() and len(pin) == 6 for pin in pins)


def test_display_groups_with_prefix():
    code_format = CodeFormat(length=8, prefix="NET", group_size=4)
    assert code_format.display("7K4MQ9RT") == "NET-7K4M-Q9RT"
    assert CodeFormat(length=8, group_size=0).display("7K4MQ9RT") == "7K4MQ9RT"
    assert CodeFormat(length=6, group_size=3, separator=" ").display("ABCDEF") == "ABC DEF"


def test_normalise_accepts_what_customers_type():
    assert normalise(" net-7k4m q9rt ") == "NET7K4MQ9RT"
    assert normalise("NET_7K4M.Q9RT") == "NET7K4MQ9RT"
    assert looks_like_code("NET7K4MQ9RT")
    assert not looks_like_code("AB")
    assert not looks_like_code("NET7K4M'--")


@pytest.mark.parametrize(
    ("code_format", "quantity", "message"),
    [
        (CodeFormat(length=4), 1, "between 6 and 16"),
        (CodeFormat(length=6), 100_000, "too few"),
        (CodeFormat(length=8, alphabet="digits"), 5_000, "too few"),
        (CodeFormat(prefix="net!"), 1, "prefix"),
        (CodeFormat(group_size=1), 1, "Groups"),
    ],
)
def test_unsafe_formats_are_refused_with_a_reason(code_format, quantity, message):
    with pytest.raises(CodeFormatError, match=message):
        code_format.validate(quantity=quantity)


def test_eight_characters_are_enough_for_a_full_batch():
    CodeFormat(length=8).validate(quantity=100_000)
