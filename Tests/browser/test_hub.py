"""The hub as people use it, in Debian's Chromium against `gitfolio serve` (issue 12): member A
publishes the example resume; member B finds it in the hub by filtering job role and tech stack,
opens it, likes it and comments on a project; B's "liked only" shows it; A sees the unread badge,
reads the notifications and the comment anchored on that project; A withdraws the resume and nobody
can open it any more. Screenshots at desktop and phone width go to .test-artifacts/browser/."""
import json
import time

from conftest import click_later, make_it_mine, sign_out

PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
COMMENT = "<b>tags</b> stay text: 재고 락 이야기를 더 듣고 싶어요."


def go(browser, url):
    """Opens a page and waits until it is that page, loaded: the old document is marked first, so
    that a wait cannot be answered by the page being left (even when it is the same address)."""
    browser.js("window.gfLeaving = true")
    browser.call("Page.navigate", url=url)
    browser.wait("!window.gfLeaving && document.readyState === 'complete'", timeout=20)


def sign_in(browser, site, login, name):
    go(browser, site + "/login.html")
    browser.wait("!document.querySelector('#local-signin').hidden")
    browser.js(f"""(() => {{ const f = document.querySelector('#local-signin');
        f.elements.login.value = {json.dumps(login)}; f.elements.name.value = {json.dumps(name)};
        setTimeout(() => f.querySelector('button[type=submit]').click(), 0); }})()""")
    browser.wait("location.pathname === '/me.html' && !document.querySelector('#profile').hidden", timeout=20)


def set_job_role(browser, role):
    """On My page (already open): picks a job role and saves the profile."""
    browser.js(f"""(() => {{ const f = document.querySelector('#profile');
        f.elements.jobRole.value = {json.dumps(role)};
        f.querySelector('button[type=submit]').click(); }})()""")
    browser.wait("document.querySelector('#me-status').classList.contains('ok')", timeout=20)


def publish_sample(browser, site, root=""):
    """Makes the example resume (in the page's language) and publishes it from the editor; returns its id."""
    go(browser, site + root + "/resume.html")
    browser.wait("!document.querySelector('#resume-list').hidden")
    click_later(browser, "#new-sample")
    browser.wait("location.search.startsWith('?id=') && document.querySelector('#sheet [data-path]') !== null", timeout=20)
    resume_id = int(browser.js("new URLSearchParams(location.search).get('id')"))
    assert browser.js("document.querySelector('#publish').getAttribute('aria-pressed')") == "false"
    make_it_mine(browser)
    browser.js("document.querySelector('#publish').click()")
    browser.wait("document.querySelector('#publish').getAttribute('aria-pressed') === 'true'"
                 " && document.querySelector('#editor-status').classList.contains('ok')", timeout=20)
    assert not browser.js("document.querySelector('#public-link').hidden")
    assert browser.js("document.querySelector('#public-link').getAttribute('href')") == f"{root}/resumes/{resume_id}.html"
    return resume_id


def card_selector(resume_id):
    return f".hub-card a[href$='/resumes/{resume_id}.html']"


def open_hub_until(browser, url, present, resume_id, timeout=20):
    """Opens the hub list again and again until the static list (as served, before any script
    redraws it) has, or no longer has, the resume's card: serve's follower rebuilds it within about a
    second of the change."""
    deadline = time.time() + timeout
    while True:
        go(browser, url)
        html = browser.js(f"fetch({json.dumps(url)}, {{cache: 'no-store'}}).then((r) => r.text())")
        if (f'data-id="{resume_id}"' in html) == present:
            return
        if time.time() > deadline:
            raise AssertionError(f"the hub list at {url} {'never showed' if present else 'still shows'} resume {resume_id}")
        time.sleep(0.3)


def hub_filters(browser, **values):
    """Sets the hub's filters as a person does (each change fires `input`) and returns the ids shown."""
    for name, value in values.items():
        browser.js(f"""(() => {{ const input = document.querySelector('#hub-filters').elements[{json.dumps(name)}];
            if (input.type === 'checkbox') {{ if (input.checked !== {json.dumps(bool(value))}) input.click(); }}
            else {{ input.value = {json.dumps(value)}; input.dispatchEvent(new Event('input', {{bubbles: true}})); }} }})()""")
    return shown_ids(browser)


def shown_ids(browser):
    return browser.js("""[...document.querySelectorAll('#hub-list .hub-card a')].map((a) =>
        Number(a.getAttribute('href').match(/resumes\\/(\\d+)\\.html$/)[1]))""")


def status_of(browser, url):
    return browser.js(f"fetch({json.dumps(url)}, {{cache: 'no-store'}}).then((r) => r.status)")


def api(browser, path):
    """A function's JSON answer, asked from the page with the page's cookies."""
    return browser.js(f"""fetch('/api/{path}', {{headers: {{'x-gitfolio-csrf': '1'}}, cache: 'no-store'}})
        .then(async (r) => ({{status: r.status, data: await r.json()}}))""")


def screenshots(browser, name):
    """The page at desktop width, then at a phone's (390 CSS pixels, twice as many device pixels),
    where nothing may be wider than the screen."""
    browser.screenshot(name + "-desktop")
    browser.call("Emulation.setDeviceMetricsOverride", **PHONE)
    try:
        browser.wait("innerWidth === 390 && matchMedia('(max-width: 600px)').matches")
        browser.js("window.scrollTo(0, 0); new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
        browser.screenshot(name + "-phone")
        overflow = browser.js("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name}: the page is {overflow}px wider than a phone's screen"
    finally:
        browser.call("Emulation.clearDeviceMetricsOverride")


def test_hub_journey(site, browser):
    hub = site + "/hub/index.html"

    # Member B publishes a resume of their own first (the English example), so that the hub lists
    # two. The example is one made-up backend developer (김하늘, Haneul Kim), whoever copies it: its
    # job role is the example's, not the member's (issue 17).
    sign_in(browser, site, "hub-b", "이비평")
    set_job_role(browser, "FRONTEND")
    other_id = publish_sample(browser, site, root="/en")
    assert browser.js("document.querySelector('#sheet .gf-name').textContent") == "Haneul Kim"
    sign_out(browser)

    # 1. Member A publishes the Korean example resume from the editor.
    sign_in(browser, site, "hub-a", "김공개")
    set_job_role(browser, "BACKEND")
    resume_id = publish_sample(browser, site)
    assert browser.js("document.querySelector('#sheet .gf-name').textContent") == "김하늘"
    project = browser.js("document.querySelector('#sheet [data-path=\"projects[0].name\"]').textContent")
    assert project == "market-api"

    # 2. A signs out, B signs in and finds the resume on the hub.
    sign_out(browser)
    sign_in(browser, site, "hub-b", "이비평")
    open_hub_until(browser, hub, True, resume_id)
    browser.wait("!document.querySelector('#hub-filters').hidden")
    assert shown_ids(browser) == [resume_id, other_id]  # newest first
    card = card_selector(resume_id)
    assert browser.js(f"document.querySelector(\"{card}\").closest('.hub-card').querySelector('.hub-name').textContent") == "김하늘"
    assert browser.js(f"document.querySelector(\"{card}\").closest('.hub-card').querySelector('.hub-role').textContent") == "백엔드"
    other_card = card_selector(other_id)
    assert browser.js(f"document.querySelector(\"{other_card}\").closest('.hub-card').querySelector('.hub-name').textContent") == "Haneul Kim"
    # The role's own list, pregenerated, has both (browsable with script off); another role's, neither.
    backend = browser.js("fetch('/hub/backend/index.html').then((r) => r.text())")
    assert f'data-id="{resume_id}"' in backend and f'data-id="{other_id}"' in backend
    frontend = browser.js("fetch('/hub/frontend/index.html').then((r) => r.text())")
    assert f'data-id="{resume_id}"' not in frontend and f'data-id="{other_id}"' not in frontend

    assert hub_filters(browser, role="BACKEND", tech="spring") == [resume_id, other_id]
    assert browser.js("document.querySelector('#hub-status').textContent") == "2개의 이력서"
    assert hub_filters(browser, role="FRONTEND") == []
    assert hub_filters(browser, role="INFRA") == []
    assert browser.js("document.querySelector('#hub-status').textContent") == "조건에 맞는 이력서가 없습니다."
    assert hub_filters(browser, role="BACKEND", tech="없는기술") == []
    assert hub_filters(browser, role="", tech="") == [resume_id, other_id]
    screenshots(browser, "hub-list-ko")

    # 3. B opens the resume's page, likes it and comments on a project.
    click_later(browser, card)
    browser.wait(f"location.pathname === '/resumes/{resume_id}.html' && document.readyState === 'complete'")
    browser.wait("!document.querySelector('#like').hidden && !document.querySelector('#comment-form').hidden")
    assert browser.js("document.querySelector('.hub-resume h1').textContent") == "김하늘"
    assert browser.js("document.querySelector('meta[property=\"og:image\"]').content").endswith(f"/resumes/{resume_id}.png")
    browser.wait("document.querySelector('.hub-counts .views .n').textContent === '1'")  # B's view counts
    assert browser.js("document.querySelector('#like').getAttribute('aria-pressed')") == "false"
    browser.js("document.querySelector('#like').click()")
    browser.wait("document.querySelector('#like').getAttribute('aria-pressed') === 'true'")
    assert browser.js("document.querySelector('.hub-counts .likes .n').textContent") == "1"
    assert browser.js("document.querySelector('#like').textContent") == "좋아요 취소"

    anchors = browser.js("[...document.querySelector('#comment-form').elements.anchor.options].map((o) => [o.value, o.textContent])")
    assert ["projects[0]", "market-api"] in anchors
    browser.js(f"""(() => {{ const f = document.querySelector('#comment-form');
        f.elements.anchor.value = 'projects[0]'; f.elements.body.value = {json.dumps(COMMENT)};
        f.querySelector('button[type=submit]').click(); }})()""")
    browser.wait("document.querySelector('#comment-list .comment') !== null")
    comment_id = int(browser.js("document.querySelector('#comment-list .comment').id.replace('comment-', '')"))
    body = "document.querySelector('#comment-list .comment .comment-body')"
    assert browser.js(f"{body}.textContent") == COMMENT
    assert "&lt;b&gt;tags&lt;/b&gt;" in browser.js(f"{body}.innerHTML")
    assert browser.js("document.querySelectorAll('#comment-list b').length") == 0
    assert browser.js("document.querySelector('#comment-list .comment .anchor').textContent") == "market-api에 대해"
    # The comment is there for the next reader too.
    go(browser, site + f"/resumes/{resume_id}.html")
    browser.wait(f"document.querySelector('#comment-{comment_id} .comment-body')?.textContent === {json.dumps(COMMENT)}")
    browser.wait("document.querySelector('#like').getAttribute('aria-pressed') === 'true'")
    counts = browser.js("[...document.querySelectorAll('.hub-resume-head .hub-counts .n')].map((n) => n.textContent)")
    assert counts == ["1", "1", "1"], "likes, views (one per visitor and hour), comments"
    screenshots(browser, "hub-resume-ko")

    # 4. "Liked only" shows exactly the resume B liked.
    go(browser, hub)
    browser.wait("!document.querySelector('#hub-filters').hidden")
    assert not browser.js("document.querySelector('#hub-filters').elements.liked.disabled")
    assert hub_filters(browser, liked=True) == [resume_id]
    assert browser.js("document.querySelector('#hub-status').textContent") == "1개의 이력서"
    assert hub_filters(browser, liked=False) == [resume_id, other_id]

    # The English hub once: the same list, its strings in English.
    go(browser, site + "/en/hub/index.html")
    browser.wait("!document.querySelector('#hub-filters').hidden")
    assert browser.js("document.documentElement.lang") == "en"
    assert shown_ids(browser) == [resume_id, other_id]
    assert browser.js(f"document.querySelector(\"{card}\").getAttribute('href')") == f"/en/resumes/{resume_id}.html"
    assert browser.js(f"document.querySelector(\"{card}\").closest('.hub-card').querySelector('.hub-role').textContent") == "Backend"
    assert browser.js("document.querySelector('#hub-status').textContent") == "2 resumes"
    screenshots(browser, "hub-list-en")

    # 5. B signs out; A signs in and sees the badge, then the notifications.
    sign_out(browser)
    sign_in(browser, site, "hub-a", "김공개")
    browser.wait("!document.querySelector('#unread').hidden")
    assert browser.js("document.querySelector('#unread').textContent") == "2"
    click_later(browser, "#notifications-link")
    browser.wait("location.pathname === '/notifications.html' && document.querySelectorAll('#notification-list li').length === 2")
    items = browser.js("""[...document.querySelectorAll('#notification-list li')].map((li) => ({
        text: li.querySelector('a').textContent, href: li.querySelector('a').getAttribute('href'),
        meta: li.querySelector('.notification-meta').textContent, excerpt: li.querySelector('blockquote')?.textContent ?? null }))""")
    assert items[0]["text"] == "이비평 님이 「예시 이력서 (김하늘)」에 피드백을 남겼습니다."
    assert items[0]["href"] == f"/resumes/{resume_id}.html#comment-{comment_id}"
    assert items[0]["meta"].endswith(" · market-api에 대해"), "the project, by name"
    assert items[0]["excerpt"] == COMMENT
    assert items[1]["text"] == "이비평 님이 「예시 이력서 (김하늘)」에 좋아요를 눌렀습니다." and items[1]["excerpt"] is None
    assert items[1]["href"] == f"/resumes/{resume_id}.html"
    assert browser.js("document.querySelectorAll('#notification-list li.unread').length") == 2
    assert not browser.js("document.querySelector('#notifications-read-all').hidden")
    screenshots(browser, "hub-notifications-ko")

    # The comment's notification opens the resume page at the comment, which names its project.
    click_later(browser, "#notification-list li a")
    browser.wait(f"location.pathname === '/resumes/{resume_id}.html' && location.hash === '#comment-{comment_id}'")
    browser.wait(f"document.querySelector('#comment-{comment_id} .anchor')?.textContent === 'market-api에 대해'")
    assert browser.js(f"document.querySelector('#comment-{comment_id} .comment-body').textContent") == COMMENT
    assert browser.js("document.querySelector('#like').hidden")  # the owner does not like their own
    browser.wait("document.querySelector('.hub-resume-head .hub-counts .views .n').textContent === '1'")  # nor count as a view
    # Opening it marked that notification as read, even though the page was left at once.
    deadline = time.time() + 10
    while api(browser, "notifications")["data"]["unread"] != 1:
        assert time.time() < deadline, "opening a notification did not mark it as read"
        time.sleep(0.2)

    # "Read all" clears the badge.
    go(browser, site + "/notifications.html")
    browser.wait("document.querySelectorAll('#notification-list li').length === 2")
    assert browser.js("document.querySelector('#unread').textContent") == "1"
    assert browser.js("document.querySelectorAll('#notification-list li.unread').length") == 1
    browser.js("document.querySelector('#notifications-read-all').click()")
    browser.wait("document.querySelector('#unread').hidden && document.querySelector('#notifications-read-all').hidden")
    assert browser.js("document.querySelectorAll('#notification-list li.unread').length") == 0
    go(browser, site + "/index.html")
    browser.wait("!document.querySelector('#notifications-link').hidden")
    assert browser.js("document.querySelector('#unread').hidden")

    # 6. A withdraws the resume from the editor: its page and files go at once.
    go(browser, site + f"/resume.html?id={resume_id}")
    browser.wait("document.querySelector('#publish').getAttribute('aria-pressed') === 'true'", timeout=20)
    browser.js("document.querySelector('#publish').click()")
    browser.wait("document.querySelector('#publish').getAttribute('aria-pressed') === 'false'"
                 " && document.querySelector('#editor-status').classList.contains('ok')", timeout=20)
    assert browser.js("document.querySelector('#public-link').hidden")
    sign_out(browser)

    # B can no longer open it: the server answers 404, with the 404 page.
    sign_in(browser, site, "hub-b", "이비평")
    for path in (f"/resumes/{resume_id}.html", f"/en/resumes/{resume_id}.html", f"/resumes/{resume_id}.pdf", f"/resumes/{resume_id}.png"):
        assert status_of(browser, path) == 404, path
    assert api(browser, f"comment?resumeId={resume_id}")["status"] == 404
    go(browser, site + f"/resumes/{resume_id}.html")
    browser.wait("document.querySelector('#not-found') !== null")
    assert browser.js("document.querySelector('#not-found h1').textContent") == "페이지를 찾을 수 없습니다"
    assert browser.js("document.querySelector('#comment-list')") is None
    # …and the hub no longer lists it once the follower has caught up.
    open_hub_until(browser, hub, False, resume_id)
    browser.wait("!document.querySelector('#hub-filters').hidden")
    assert shown_ids(browser) == [other_id]
    assert hub_filters(browser, liked=True) == []
    assert browser.js("document.querySelector('#hub-status').textContent") == "조건에 맞는 이력서가 없습니다."
    assert browser.dialogs() == []
    sign_out(browser)


def test_hub_as_anonymous_reader(site, browser):
    """A reader who is not signed in browses the hub and opens a resume: "liked only" is off, there
    is no comment form, and the like button asks them to sign in."""
    go(browser, site + "/hub/index.html")
    browser.wait("!document.querySelector('#hub-filters').hidden")
    assert browser.js("document.querySelector('#hub-filters').elements.liked.disabled")
    ids = shown_ids(browser)
    assert ids, "the journey left one public resume"
    go(browser, site + f"/resumes/{ids[0]}.html")
    browser.wait("!document.querySelector('#comment-signin').hidden")
    assert browser.js("document.querySelector('#comment-form').hidden")
    browser.js("document.querySelector('#like').click()")
    browser.wait("document.querySelector('#hub-resume-status').textContent === '좋아요를 누르려면 로그인하세요.'")
    assert browser.js("document.querySelector('#like').getAttribute('aria-pressed')") == "false"
