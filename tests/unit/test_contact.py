import pytest

from clinic.contact import clean_first_name, is_cancel, is_decline, parse_contact


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("(949) 555-0123", "+19495550123"),
        ("my cell is 714.555.0199 thx", "+17145550199"),
        ("9495550100", "+19495550100"),
        ("+1 949 555 0100", "+19495550100"),
    ],
)
def test_us_phone_numbers_are_normalised_to_e164(text, phone):
    assert parse_contact(text).phone == phone


@pytest.mark.parametrize("text", ["555-12", "555-1234", "+44 20 7946 0958", "call me maybe", "12345678901234"])
def test_invalid_or_foreign_numbers_are_rejected(text):
    assert parse_contact(text) is None


def test_email_syntax_is_checked_and_normalised():
    assert parse_contact("it's Sam.Lee@Example.COM").email == "Sam.Lee@example.com"
    assert parse_contact("sam@@example") is None
    assert parse_contact("sam@example") is None


@pytest.mark.parametrize("text", ["stop", "Cancel", "cancel please", "never mind", "nvm", "forget it", "QUIT!"])
def test_cancel_words(text):
    assert is_cancel(text)


@pytest.mark.parametrize("text", ["stop the pain", "can you cancel my appointment", "", None])
def test_not_cancel(text):
    assert not is_cancel(text)


@pytest.mark.parametrize("text", ["skip", "no thanks", "I'd rather not", "prefer not to say", "pass"])
def test_decline_words(text):
    assert is_decline(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("maria", "Maria"),
        ("I'm maria", "Maria"),
        ("my name is Jo-Anne Smith", "Jo-Anne"),
        ("hi, it's Bob", "Bob"),
    ],
)
def test_first_names(text, name):
    assert clean_first_name(text) == name


def test_no_name_in_a_sentence_or_digits():
    assert clean_first_name("this is a long sentence that is not a name") is None
    assert clean_first_name("123") is None
