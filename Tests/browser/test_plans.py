"""Plans and payments in Debian's Chromium: `gitfolio serve` with the fake GitHub and the fake KakaoPay
of the test support (both run as processes). A FREE member spends the day's three AI uses, is told the
limit and offered PRO, upgrades through the fake KakaoPay's approval page, is PRO and generates again;
later cancels; a nightly run after the paid period makes them FREE again."""
import json
import os
import socket
import subprocess
import threading
import urllib.request

import pytest

from conftest import WIDTHS, bin_dir, check_page, clean_env, in_view, settled, start_serve


@pytest.fixture(scope="module")
def pay_site():
    github = subprocess.Popen([os.path.join(bin_dir(), "fake-github")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    gh = json.loads(github.stdout.readline())
    kakaopay = subprocess.Popen([os.path.join(bin_dir(), "fake-kakaopay")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    kp = json.loads(kakaopay.stdout.readline())
    with socket.socket() as s:  # the OAuth callback and KakaoPay's return URLs must name the port before serve starts
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = clean_env()
    env.update({"GITHUB_CLIENT_ID": gh["clientID"], "GITHUB_CLIENT_SECRET": gh["clientSecret"],
                "GITHUB_OAUTH_URL": gh["url"], "GITHUB_API_URL": gh["url"], "GITFOLIO_PUBLIC_URL": f"http://127.0.0.1:{port}",
                "KAKAOPAY_SECRET_KEY": kp["secretKey"], "KAKAOPAY_CID": kp["cid"], "KAKAOPAY_API_URL": kp["url"],
                "GITFOLIO_LOG_LEVEL": "debug"})
    proc, base, work = start_serve(env, port)
    # Serve's output and its function processes' logs (debug level), read as they come.
    lines = proc.log
    yield {"base": base, "work": work, "env": dict(env, GITFOLIO_SECRET_FILE=os.path.join(work, "secret.key")),
           "kakaopay": kp, "log": lines}
    proc.terminate()
    proc.wait(timeout=10)
    proc.log_reader.join(timeout=10)
    # The secret key reaches KakaoPay's Authorization header and nothing else: not one log line of serve
    # or its function processes holds it.
    assert lines and not [line for line in lines if kp["secretKey"] in line]
    for fake in (github, kakaopay):
        fake.stdin.close()
        fake.wait(timeout=10)


def fake_state(kp):
    return json.load(urllib.request.urlopen(kp["url"] + "/_fake/state"))


def check_plan_section(browser, axe, base, name, root=""):
    """My page with its plan section, at both widths, as every page is checked (issue 17)."""
    for width in WIDTHS:
        browser.width(width)
        since = browser.mark()
        browser.open(base + root + "/me.html")
        browser.wait("!document.querySelector('#plan').hidden && !document.querySelector('#profile').hidden")
        browser.js("document.querySelector('#plan').scrollIntoView({ block: 'start' })")
        check_page(browser, axe, f"{name}-{width}", since)
    browser.call("Emulation.clearDeviceMetricsOverride")


def generate(browser, base):
    browser.open(base + "/resume.html")
    browser.wait("!document.querySelector('#generate').hidden && document.querySelectorAll('[name=repository]').length === 2")
    browser.js("""(() => { const f = document.querySelector('#generate');
        f.querySelector('[value="alice-dev/shop-web"]').checked = true;
        f.querySelector('button[type=submit]').click(); })()""")


def test_free_member_upgrades_generates_cancels_and_is_free_after_the_period(pay_site, browser, axe):
    base, kp = pay_site["base"], pay_site["kakaopay"]
    browser.open(base + "/login.html")
    browser.wait("!document.querySelector('#github-signin').hidden")
    browser.js("document.querySelector('#github-button').click()")
    browser.wait("location.pathname === '/me.html' && document.querySelector('#who').textContent === 'alice-dev 님'", timeout=20)

    # My page: FREE, three AI uses left today, the upgrade offered, no payments yet.
    browser.wait("!document.querySelector('#plan').hidden")
    assert browser.js("document.querySelector('#plan-name').textContent") == "FREE"
    assert browser.js("document.querySelector('#plan-uses').textContent") == "오늘 AI 사용: 3회 중 3회 남음"
    assert browser.js("document.querySelector('#upgrade').textContent") == "PRO로 업그레이드 (월 19,900원)"
    assert not browser.js("document.querySelector('#plan-payments-none').hidden")
    browser.screenshot("plan-free-ko")
    check_plan_section(browser, axe, pay_site["base"], "page-me-plan-free-ko")

    # Three generations use the day's three AI uses.
    for _ in range(3):
        generate(browser, base)
        browser.wait("location.search.startsWith('?id=') && document.querySelector('#sheet [data-path]') !== null", timeout=20)
    browser.open(base + "/me.html")
    browser.wait("document.querySelector('#plan-uses').textContent === '오늘 AI 사용: 3회 중 0회 남음'")

    # The fourth is refused: the page says so and offers PRO on the spot.
    generate(browser, base)
    browser.wait("document.querySelector('#generate-status').textContent.includes('3회)를 모두 썼습니다')")
    browser.wait("document.querySelector('#upgrade-offer') !== null")
    assert "하루 200회까지" in browser.js("document.querySelector('#generate-status').textContent")
    assert browser.js("document.querySelector('#upgrade-offer-button').textContent") == "PRO로 업그레이드 (월 19,900원)"
    # The offer sits right under the message, beside the button the member pressed.
    assert browser.js("document.querySelector('#generate-status').nextElementSibling.id") == "upgrade-offer"
    in_view(browser, "#upgrade-offer-button")
    browser.screenshot("plan-limit-offer-ko")
    assert fake_state(kp)["charges"] == []

    # Upgrade: our function → the fake KakaoPay's approval page → approve → our pay webhook → My page,
    # on a phone: back at the top of a long page, the outcome is brought into view.
    browser.width(390)
    browser.js("document.querySelector('#upgrade-offer-button').click()")
    browser.wait(f"location.href.startsWith({json.dumps(kp['url'])}) && document.querySelector('#kakaopay-approve') !== null", timeout=20)
    assert "19900원" in browser.js("document.querySelector('#item').textContent")
    browser.js("document.querySelector('#kakaopay-approve').click()")
    browser.wait("location.pathname === '/me.html' && location.search === '?pay=approved'", timeout=20)
    browser.wait("document.querySelector('#plan-status').textContent === '결제가 완료되었습니다. 이제 PRO입니다.'")
    browser.wait("document.querySelector('#plan').getBoundingClientRect().top < innerHeight / 2")
    in_view(browser, "#plan-status")
    in_view(browser, "#plan-heading")
    browser.screenshot("plan-approved-390", full=False)
    browser.call("Emulation.clearDeviceMetricsOverride")
    assert browser.js("document.querySelector('#plan-name').textContent") == "PRO"
    assert browser.js("document.querySelector('#plan-uses').textContent") == "오늘 AI 사용 3회 (공정 사용 한도 하루 200회)"
    assert browser.js("document.querySelectorAll('#plan-payments tbody tr').length") == 1
    assert "19,900원" in browser.js("document.querySelector('#plan-payments tbody').textContent")
    assert browser.js("document.querySelector('#plan-subscription').textContent").startswith("다음 결제일: ")
    assert browser.js("document.querySelector('#upgrade').hidden")
    browser.screenshot("plan-pro-ko")
    charges = fake_state(kp)["charges"]
    assert [c["kind"] for c in charges] == ["approve"] and charges[0]["amount"] == 19900
    check_plan_section(browser, axe, base, "page-me-plan-pro-ko")

    # PRO generates again.
    generate(browser, base)
    browser.wait("location.search.startsWith('?id=') && document.querySelector('#sheet [data-path]') !== null", timeout=20)

    # Cancel: PRO lasts until the paid period ends.
    # Cancel, on a phone: a confirmation beside the button, then the outcome under it.
    browser.width(390)
    browser.open(base + "/me.html")
    browser.wait("!document.querySelector('#cancel-subscription').hidden")
    settled(browser)
    paid_until = browser.js("fetch('/api/subscription').then(r => r.json()).then(d => d.subscription.paidUntil)")
    browser.js("document.querySelector('#cancel-subscription').scrollIntoView({ block: 'center' }); document.querySelector('#cancel-subscription').click()")
    browser.wait("!document.querySelector('#cancel-confirm').hidden")
    assert browser.js("document.activeElement.id") == "cancel-no"
    in_view(browser, "#cancel-yes")
    browser.screenshot("plan-cancel-confirm-390", full=False)
    browser.js("document.querySelector('#cancel-yes').click()")
    browser.wait("document.querySelector('#plan-status').textContent === '구독을 해지했습니다. 더 이상 결제되지 않습니다.'")
    in_view(browser, "#plan-status")
    browser.call("Emulation.clearDeviceMetricsOverride")
    assert browser.js("document.querySelector('#plan-subscription').textContent") == f"구독을 해지했습니다. {paid_until}에 FREE로 돌아갑니다."
    assert browser.js("document.querySelector('#plan-name').textContent") == "PRO"
    assert browser.js("document.querySelector('#cancel-subscription').hidden")
    assert all(not s["active"] for s in fake_state(kp)["subscriptions"])

    # The nightly run for the day the paid period ends: FREE again, nothing charged.
    run = subprocess.run([os.path.join(bin_dir(), "gitfolio"), "nightly", "--date", paid_until,
                          "--db", os.path.join(pay_site["work"], "g.sqlite")],
                         env=pay_site["env"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    summary = json.loads(run.stdout)
    assert summary["expired"] == 1 and summary["charged"] == 0 and summary["ok"]
    assert kp["secretKey"] not in run.stdout + run.stderr
    browser.open(base + "/me.html")
    browser.wait("!document.querySelector('#plan').hidden")
    assert browser.js("document.querySelector('#plan-name').textContent") == "FREE"
    assert not browser.js("document.querySelector('#upgrade').hidden")
    assert browser.js("document.querySelectorAll('#plan-payments tbody tr').length") == 1  # the history stays
    browser.screenshot("plan-free-again-ko")
    assert len(fake_state(kp)["charges"]) == 1
    check_plan_section(browser, axe, base, "page-me-plan-free-again-ko")

    # The same section in English.
    browser.open(base + "/en/me.html")
    browser.wait("!document.querySelector('#plan').hidden")
    assert browser.js("document.querySelector('#plan h2').textContent") == "Plan and payments"
    assert browser.js("document.querySelector('#upgrade').textContent") == "Upgrade to PRO (19,900 KRW a month)"
    assert browser.js("document.querySelector('#plan-payments tbody td:nth-child(2)').textContent") == "19,900 KRW"
    check_plan_section(browser, axe, base, "page-me-plan-en", root="/en")


def test_a_cancelled_payment_changes_nothing_and_says_so(pay_site, browser):
    base, kp = pay_site["base"], pay_site["kakaopay"]
    browser.open(base + "/me.html")
    browser.wait("!document.querySelector('#upgrade').hidden")
    browser.js("document.querySelector('#upgrade').click()")
    browser.wait(f"location.href.startsWith({json.dumps(kp['url'])}) && document.querySelector('#kakaopay-cancel') !== null", timeout=20)
    browser.js("document.querySelector('#kakaopay-cancel').click()")
    browser.wait("location.pathname === '/me.html' && location.search === '?pay=cancelled'", timeout=20)
    browser.wait("document.querySelector('#plan-status').textContent === '결제를 취소했습니다. 결제된 금액은 없습니다.'")
    assert browser.js("document.querySelector('#plan-name').textContent") == "FREE"
    assert len(fake_state(kp)["charges"]) == 1


def test_deleting_a_pro_account_stops_the_subscription_first(pay_site, browser):
    base, kp = pay_site["base"], pay_site["kakaopay"]
    browser.open(base + "/me.html")
    browser.wait("!document.querySelector('#upgrade').hidden")
    browser.js("document.querySelector('#upgrade').click()")
    browser.wait(f"location.href.startsWith({json.dumps(kp['url'])}) && document.querySelector('#kakaopay-approve') !== null", timeout=20)
    browser.js("document.querySelector('#kakaopay-approve').click()")
    browser.wait("location.search === '?pay=approved' && document.querySelector('#plan-name').textContent === 'PRO'", timeout=20)
    active = [s for s in fake_state(kp)["subscriptions"] if s["active"]]
    assert len(active) == 1
    # The member deletes the account from My page (typing their user name beside the button):
    # KakaoPay stops the subscription, then the account goes.
    # The danger zone is shown (and its button wired) once My page has the profile; plan.js may show
    # PRO before that, and a script's click on the still-hidden button would do nothing.
    browser.wait("!document.querySelector('#danger').hidden")
    browser.js("document.querySelector('#delete-account').click()")
    browser.wait("!document.querySelector('#delete-confirm').hidden")
    browser.js("document.querySelector('#delete-typed').value = 'alice-dev'; document.querySelector('#delete-now').click()")
    browser.wait("document.querySelector('#delete-status').classList.contains('ok')", timeout=20)
    browser.wait("location.pathname === '/index.html'", timeout=20)
    state = fake_state(kp)
    assert [s for s in state["subscriptions"] if s["sid"] == active[0]["sid"]][0]["active"] is False
    assert browser.js("fetch('/api/session').then(r => r.json())") == {"member": None}
    assert [c["kind"] for c in state["charges"]].count("approve") == 2  # the two upgrades, nothing after
