import datetime as dt

from bot.reminders.timing import next_working_moment
from iso20k_core.calendar import BusinessCalendar

NINE, FIVE = dt.time(9), dt.time(17)
DE = BusinessCalendar("DE")


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_inside_working_hours_now_is_fine() -> None:
    moment = utc(2027, 3, 2, 10, 0)  # Tuesday, 11:00 in Berlin
    assert next_working_moment(moment, "Europe/Berlin", DE, NINE, FIVE) == moment


def test_three_in_the_morning_waits_for_nine() -> None:
    moment = utc(2027, 3, 2, 2, 0)  # 03:00 Berlin
    assert next_working_moment(moment, "Europe/Berlin", DE, NINE, FIVE) == utc(2027, 3, 2, 8, 0)


def test_evenings_weekends_and_holidays_move_to_the_next_working_morning() -> None:
    # Easter 2027: Good Friday 26 March and Easter Monday 29 March are holidays in Germany,
    # and summer time starts on the Sunday between them.
    friday_evening = utc(2027, 3, 25, 18, 0)  # Thursday 19:00 Berlin
    assert next_working_moment(friday_evening, "Europe/Berlin", DE, NINE, FIVE) == utc(
        2027, 3, 30, 7, 0
    )  # Tuesday 09:00 CEST
    good_friday = utc(2027, 3, 26, 10, 0)
    assert next_working_moment(good_friday, "Europe/Berlin", DE, NINE, FIVE) == utc(
        2027, 3, 30, 7, 0
    )
    saturday = utc(2027, 3, 6, 10, 0)
    assert next_working_moment(saturday, "Europe/Berlin", DE, NINE, FIVE) == utc(2027, 3, 8, 8, 0)


def test_the_recipients_timezone_decides() -> None:
    moment = utc(2027, 3, 2, 14, 0)  # 15:00 Berlin, 06:00 in Los Angeles
    assert next_working_moment(
        moment, "America/Los_Angeles", BusinessCalendar("US"), NINE, FIVE
    ) == utc(2027, 3, 2, 17, 0)
