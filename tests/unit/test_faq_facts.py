"""Facts a user acts on, asserted where the curated answers hold them, in both languages.

A wrong SMS number or an outdated licence rule is worse than no answer: these tests pin the
corrected facts (MIIT's 携号转网服务管理规定 2019, MIIT's June 2023 notice on licence labels,
Order No. 35) so an edit that loses one fails.
"""

import pytest

from bot.complaints.scope import deployment
from bot.faq.catalogue import FAQ_DIR, load_topic

LANGUAGES = ("zh", "en")


def answer(key: str, language: str, variant: str = "", operator: str = "neutral") -> str:
    """The answer as the server fills it: the variation for a deployment, its slots filled."""
    topic = load_topic(FAQ_DIR / f"{key}.yml")
    text = topic.variants.get((language, variant)) or topic.variants[(language, "")]
    return text.format(**deployment(operator).slots())


@pytest.mark.parametrize("language", LANGUAGES)
def test_number_portability_names_each_operators_sms_service_number_and_the_formats(language):
    text = answer("plan_number_portability", language)
    for number in ("10086", "10001", "10010", "10099"):
        assert number in text
    assert "10000" not in text, "China Telecom's SMS service number is 10001, not the 10000 hotline"
    assert "CXXZ#" in text and "SQXZ#" in text
    assert ("同一本地网" if language == "zh" else "same local network") in text
    assert "120" in text and ("上次转网" if language == "zh" else "last port") in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_licence_answer_has_electronic_labels_the_imei_check_and_3c_apart(language):
    text = answer("handset_network_licence", language)
    assert "2023" in text and "2024" in text and "IMEI" in text and "3C" in text
    assert ("电子" if language == "zh" else "electronic") in text
    assert "CMIIT ID" in text, "bands belong to the radio type approval, not the licence"


@pytest.mark.parametrize("key", ["handset_check_support", "handset_imported"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_broadnet_users_are_told_they_rely_on_china_mobiles_n41(key, language):
    text = answer(key, language)
    broadnet = text[text.index("广电" if language == "zh" else "Broadnet") :]
    assert "n28" in broadnet[:80] and "n41" in broadnet[:80]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a2404_is_the_mainland_and_hong_kong_macao_iphone_12(language):
    text = answer("handset_imported", language)
    assert "A2404" in text and ("港澳" if language == "zh" else "Hong Kong/Macao") in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_throttling_says_when_full_speed_comes_back(language):
    assert ("下个计费月" if language == "zh" else "next one") in answer("plan_throttling", language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_missing_5g_switch_goes_to_the_phone_maker_and_dual_sim_chooses_the_data_line(language):
    text = answer("handset_enable_5g", language)
    assert ("手机厂商" if language == "zh" else "phone maker") in text
    assert ("默认上网" if language == "zh" else "default data line") in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_miit_made_clear_rather_than_started_in_january_2021(language):
    text = answer("plan_need_5g_plan", language)
    assert ("2021年1月，工信部明确" if language == "zh" else "In January 2021 MIIT made clear") in text
    assert "自2021年1月起" not in text and "Since January 2021" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_early_termination_presents_no_single_rule_as_general_in_either_language(language):
    text = answer("plan_early_termination", language)
    assert ("没有统一规则" if language == "zh" else "no single rule") in text
    assert ("民法典" if language == "zh" else "Civil Code") in text


@pytest.mark.parametrize("key", ["complaint_process", "complaint_deadline", "complaint_appeal"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_complaint_answers_say_whose_complaint_a_ticket_is(key, language):
    mobile = answer(key, language, "operator", "china_mobile")
    assert ("中国移动" if language == "zh" else "China Mobile") in mobile
    assert ("其他运营商" if language == "zh" else "another operator") in mobile
    neutral = answer(key, language, "neutral")
    assert ("运营商" if language == "zh" else "operator") in neutral and "{" not in neutral


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_appeal_is_written_online_with_the_operators_address(language):
    for deploying in ("operator", "neutral"):
        text = answer("complaint_appeal", language, deploying, "china_unicom" if deploying == "operator" else "neutral")
        assert "工业和信息化部12300" in text and "12300" in text
        assert ("书面" if language == "zh" else "in writing") in text
        assert ("名称和地址" if language == "zh" else "name and address") in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_privacy_answer_names_the_data_handler_and_its_contact(language):
    filled = answer("privacy_personal_data", language, operator="china_telecom")
    assert ("中国电信" if language == "zh" else "China Telecom") in filled and "10000" in filled
