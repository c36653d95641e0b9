"""The interface a new user trusts, in Debian's Chromium at 1280 and 390 pixels wide: every page
without sideways scrolling, Korean words kept whole in headings and buttons, no console errors and
no serious or critical accessibility violation (axe-core); status messages inside the window after
the action that caused them, every mistake of a form listed and linked to its field; the editor by
keyboard alone. Screenshots of every page at both widths go to .test-artifacts/browser/."""
import json
import time

from conftest import WIDTHS, check_page, in_view, make_it_mine, sign_out

def header_ready(browser):
    # The header has its answer from `session` (the sign-in link shows before it, so it cannot tell).
    browser.wait("document.readyState === 'complete' && document.documentElement.dataset.session !== undefined")


def visit(browser, axe, site, path, name, ready="true", missing=False):
    for width in WIDTHS:
        browser.width(width)
        since = browser.mark()
        browser.open(site + path)
        header_ready(browser)
        browser.wait(ready)
        time.sleep(0.2)  # images and fonts settle
        check_page(browser, axe, f"{name}-{width}", since, missing=site + path if missing else None)


def sign_in(browser, site, login, name):
    browser.open(site + "/login.html")
    browser.wait("!document.querySelector('#local-signin').hidden || !document.querySelector('#signed-in').hidden")
    if browser.js("!document.querySelector('#signed-in').hidden"):
        browser.js("document.querySelector('#signed-in-signout').click()")
        browser.wait("location.pathname.endsWith('/index.html') && document.readyState === 'complete'")
        browser.open(site + "/login.html")
        browser.wait("!document.querySelector('#local-signin').hidden")
    browser.js(f"""(() => {{ const f = document.querySelector('#local-signin');
        f.elements.login.value = {json.dumps(login)}; f.elements.name.value = {json.dumps(name)};
        f.querySelector('button[type=submit]').click(); }})()""")
    browser.wait("location.pathname === '/me.html' && !document.querySelector('#profile').hidden")


def test_every_page_at_both_widths(site, browser, axe):
    # Signed out.
    for lang, root in (("ko", ""), ("en", "/en")):
        visit(browser, axe, site, root + "/index.html", f"page-index-{lang}")
        visit(browser, axe, site, root + "/login.html", f"page-login-{lang}", "!document.querySelector('#local-signin').hidden")
        visit(browser, axe, site, root + "/hub/index.html", f"page-hub-{lang}")
        visit(browser, axe, site, root + "/no-such-page.html", f"page-404-{lang}", missing=True)
        visit(browser, axe, site, root + "/me.html", f"page-me-signed-out-{lang}", "!document.querySelector('#me-signin').hidden")
    # The landing page is honest: no member count baked in, and no promise of what is not built.
    browser.width(1280)
    browser.open(site + "/index.html")
    header_ready(browser)
    assert browser.js("document.querySelector('[data-stat]')") is None
    assert browser.js("document.querySelector('#start').getAttribute('href')") == "/login.html"

    # Signed in, with a profile, a resume and a published resume.
    sign_in(browser, site, "jiwoo", "한지우")
    browser.js("""(() => { const f = document.querySelector('#profile');
        f.elements.email.value = 'jiwoo@example.com';
        f.elements.jobRole.value = 'BACKEND';
        document.querySelector('[data-list=education] .add').click();
        const e = document.querySelector('[data-list=education] .item');
        e.querySelector('[name=schoolType]').value = 'UNIVERSITY_BACHELOR';
        e.querySelector('[name=status]').value = 'GRADUATED';
        e.querySelector('[name=schoolName]').value = '한국대학교';
        e.querySelector('[name=major]').value = '소프트웨어공학';
        e.querySelector('[name=start]').value = '2018.03';
        e.querySelector('[name=end]').value = '2024.02';
        f.querySelector('button[type=submit]').click(); })()""")
    browser.wait("document.querySelector('#me-status').textContent === '저장했습니다.'")
    resume_id = publish_example(browser, site)

    # Another member likes it and leaves feedback, so that its owner has notifications to read.
    sign_in(browser, site, "seoyeon", "윤서연")
    browser.open(f"{site}/resumes/{resume_id}.html")
    browser.wait("!document.querySelector('#like').hidden && !document.querySelector('#comment-form').hidden")
    browser.js("document.querySelector('#like').click()")
    browser.wait("document.querySelector('#like').getAttribute('aria-pressed') === 'true'")
    browser.js("""(() => { const f = document.querySelector('#comment-form');
        f.elements.anchor.value = 'projects[0]'; f.elements.body.value = '장애 대응 과정을 수치로 보여 주시면 더 설득력 있을 것 같아요.';
        f.querySelector('button[type=submit]').click(); })()""")
    browser.wait("document.querySelector('#comment-list .comment') !== null")
    sign_in(browser, site, "jiwoo", "한지우")

    # The landing and sign-in pages know who is signed in.
    browser.open(site + "/index.html")
    browser.wait("document.querySelector('#start').getAttribute('href') === '/resume.html'")
    assert browser.js("document.querySelector('#start').textContent") == "내 이력서로 가기"
    browser.open(site + "/login.html")
    browser.wait("!document.querySelector('#signed-in').hidden")
    assert browser.js("document.querySelector('#local-signin').hidden && document.querySelector('#github-signin').hidden")
    assert browser.js("document.querySelector('#signed-in-as').textContent") == "jiwoo 님으로 로그인되어 있습니다."

    for lang, root in (("ko", ""), ("en", "/en")):
        visit(browser, axe, site, root + "/index.html", f"page-index-signed-in-{lang}")
        visit(browser, axe, site, root + "/login.html", f"page-login-signed-in-{lang}", "!document.querySelector('#signed-in').hidden")
        visit(browser, axe, site, root + "/me.html", f"page-me-{lang}", "document.querySelector('[data-list=education] .item') !== null")
        visit(browser, axe, site, root + "/resume.html", f"page-resumes-{lang}",
              "document.querySelectorAll('.resume-card img').length > 0 && [...document.querySelectorAll('.resume-card img')].every((i) => i.complete && i.naturalWidth > 0)")
        visit(browser, axe, site, f"{root}/resume.html?id={resume_id}", f"page-editor-{lang}", "document.querySelector('#sheet [data-path]') !== null")
        visit(browser, axe, site, root + "/notifications.html", f"page-notifications-{lang}",
              "document.querySelectorAll('#notification-list li').length === 2")
        visit(browser, axe, site, root + "/hub/index.html", f"page-hub-signed-in-{lang}",
              f"document.querySelector('#hub-list [data-id=\"{resume_id}\"]') !== null")
        visit(browser, axe, site, root + "/hub/backend/index.html", f"page-hub-backend-{lang}",
              f"document.querySelector('#hub-list [data-id=\"{resume_id}\"]') !== null")
        visit(browser, axe, site, f"{root}/resumes/{resume_id}.html", f"page-hub-resume-{lang}",
              "document.querySelector('.gf-resume') !== null && document.querySelector('#comment-list .comment') !== null")

    # At phone width the editor's resume reflows to the screen instead of an A4 sheet to scroll,
    # and so does the public page's.
    browser.width(390)
    for page, ready in ((f"/resume.html?id={resume_id}", "#sheet [data-path]"), (f"/resumes/{resume_id}.html", ".sheet .gf-resume")):
        browser.open(site + page)
        browser.wait(f"document.querySelector({json.dumps(ready)}) !== null")
        sheet = browser.js("(() => { const s = document.querySelector('.sheet'), r = document.querySelector('.sheet .gf-resume');"
                           " return { sheet: s.clientWidth, scroll: s.scrollWidth, resume: r.getBoundingClientRect().width }; })()")
        assert sheet["scroll"] <= sheet["sheet"] and sheet["resume"] <= 390, (page, sheet)

    # Signed out, a reader opens the public resume and the role's list.
    browser.width(1280)
    browser.open(site + "/index.html")
    header_ready(browser)
    sign_out(browser)
    assert browser.js("location.pathname") == "/index.html"
    assert browser.js("fetch('/api/session').then(r => r.json())") == {"member": None}
    for lang, root in (("ko", ""), ("en", "/en")):
        visit(browser, axe, site, f"{root}/resumes/{resume_id}.html", f"page-hub-resume-signed-out-{lang}",
              "!document.querySelector('#comment-signin').hidden")
        visit(browser, axe, site, root + "/hub/backend/index.html", f"page-hub-backend-signed-out-{lang}")
    browser.call("Emulation.clearDeviceMetricsOverride")


def publish_example(browser, site):
    """The signed-in member copies the example resume and publishes it; its id once its page is built."""
    browser.open(site + "/resume.html")
    browser.wait("!document.querySelector('#resume-list').hidden")
    browser.js("document.querySelector('#new-sample').click()")
    browser.wait("document.querySelector('#sheet [data-path]') !== null")
    resume_id = browser.js("new URLSearchParams(location.search).get('id')")
    make_it_mine(browser)
    browser.js("document.querySelector('#publish').click()")
    browser.wait("document.querySelector('#publish').getAttribute('aria-pressed') === 'true'")
    wait_for_public_page(browser, resume_id)
    return resume_id


def wait_for_public_page(browser, resume_id):
    """Waits until serve's follower has written a newly published resume's public page."""
    deadline = time.time() + 20
    while time.time() < deadline and browser.js(f"fetch('/resumes/{resume_id}.html', {{cache: 'no-store'}}).then(r => r.status)") != 200:
        time.sleep(0.3)


def test_status_messages_appear_where_the_member_acts(site, browser):
    sign_in(browser, site, "minseo", "오민서")
    for width in WIDTHS:
        browser.width(width)
        # My page: Save sits at the bottom of a long form; "saved" shows beside it.
        browser.open(site + "/me.html")
        browser.wait("!document.querySelector('#profile').hidden")
        browser.js("window.scrollTo(0, document.body.scrollHeight)")
        browser.js("document.querySelector('#profile button[type=submit]').click()")
        browser.wait("document.querySelector('#me-status').textContent === '저장했습니다.'")
        in_view(browser, "#me-status")

        # Three mistakes at once: all listed above the save button, each linked to its field.
        browser.js("""(() => { const f = document.querySelector('#profile');
            f.elements.email.value = 'not-an-email';
            document.querySelector('[data-list=education] .add').click();
            const e = document.querySelector('[data-list=education] .item');
            e.querySelector('[name=schoolName]').value = '한국대학교';
            e.querySelector('[name=status]').value = 'GRADUATED';
            e.querySelector('[name=start]').value = '2020.03';
            e.querySelector('[name=end]').value = '2019.02';
            window.scrollTo(0, document.body.scrollHeight);
            f.querySelector('button[type=submit]').click(); })()""")
        browser.wait("!document.querySelector('#me-errors').hidden")
        browser.screenshot(f"me-errors-{width}", full=False)
        in_view(browser, "#me-status")
        assert browser.js("document.activeElement.id") == "me-errors"
        in_view(browser, "#me-errors h2")
        messages = browser.js("[...document.querySelectorAll('#me-errors li a')].map((a) => a.textContent)")
        assert messages == ["이메일은 name@example.com 같은 이메일 주소여야 합니다.",
                            "학력 1번째 항목의 학교 구분이 필요합니다.",
                            "학력 1번째 항목의 종료 시기는 시작보다 앞설 수 없습니다."], messages
        assert browser.js("document.querySelector('#me-status').textContent") == "고쳐야 할 항목이 3개 있습니다."
        assert browser.js("document.querySelectorAll('[aria-invalid=true]').length") == 3
        assert browser.js("document.querySelector('[name=email]').getAttribute('aria-describedby') === document.querySelector('[name=email] + .field-error').id")
        browser.js("document.querySelectorAll('#me-errors li a')[2].click()")
        assert browser.js("document.activeElement.name") == "end"
        in_view(browser, "[data-list=education] [name=end]")
        browser.js("document.querySelector('[data-list=education] .item .link').click()")
        browser.js("document.querySelector('#profile').elements.email.value = ''")
        browser.js("document.querySelector('#profile button[type=submit]').click()")
        browser.wait("document.querySelector('#me-status').textContent === '저장했습니다.' && document.querySelector('#me-errors').hidden")

        # The editor: a sentence far down the resume, edited and saved; then a selection there.
        browser.open(site + "/resume.html")
        browser.wait("!document.querySelector('#resume-list').hidden")
        browser.js("document.querySelector('#new-sample').click()")
        browser.wait("document.querySelector('#sheet [data-path]') !== null")
        last = browser.js("[...document.querySelectorAll('#sheet [data-path^=\"projects[2].bullets\"]')].pop().dataset.path")
        browser.js(f"""(() => {{ const el = document.querySelector('#sheet [data-path="{last}"]');
            el.scrollIntoView({{ block: 'center' }}); el.focus(); const r = document.createRange(); r.selectNodeContents(el);
            const s = getSelection(); s.removeAllRanges(); s.addRange(r); }})()""")
        browser.call("Input.insertText", text="React 화면의 API 연동과 오류 처리를 맡았습니다.")
        browser.key("Enter", vk=13)
        browser.wait("document.querySelector('#editor-status').textContent === '저장했습니다.'")
        in_view(browser, "#editor-status")
        browser.screenshot(f"editor-saved-{width}", full=False)
        browser.js(f"""(() => {{ const el = document.querySelector('#sheet [data-path="{last}"]');
            const r = document.createRange(); r.setStart(el.firstChild, 0); r.setEnd(el.firstChild, 5);
            const s = getSelection(); s.removeAllRanges(); s.addRange(r); }})()""")
        browser.wait("!document.querySelector('#revise').hidden")
        in_view(browser, "#revise-selection")
        in_view(browser, "#revise-form button[type=submit]")
        browser.screenshot(f"editor-selection-{width}", full=False)
        # An edit of that sentence makes the selection stale: the panel goes.
        browser.js(f"document.querySelector('#sheet [data-path=\"{last}\"]').focus()")
        browser.call("Input.insertText", text="!")
        browser.wait("document.querySelector('#revise').hidden")
        browser.key("Escape", vk=27)

        # The list: rename and publish a resume, each message beside its card; delete it.
        browser.open(site + "/resume.html")
        browser.wait("document.querySelectorAll('.resume-card').length >= 1")
        card = ".resume-card:last-child"
        browser.js(f"document.querySelector('{card}').scrollIntoView({{ block: 'end' }})")
        browser.js(f"[...document.querySelectorAll('{card} .card-actions button')][0].click()")
        browser.js(f"""(() => {{ const f = document.querySelector('{card} form.rename'); f.elements.title.value = '결제 백엔드 이력서';
            f.querySelector('button[type=submit]').click(); }})()""")
        browser.wait(f"document.querySelector('{card} .status').textContent === '이름을 바꿨습니다.'")
        in_view(browser, f"{card} .status")
        browser.js(f"[...document.querySelectorAll('{card} .card-actions button')][1].click()")
        browser.wait(f"document.querySelector('{card} .state').textContent === '허브에 공개 중'")
        in_view(browser, f"{card} .status")
        browser.screenshot(f"resumes-actions-{width}", full=False)
        count = browser.js("document.querySelectorAll('.resume-card').length")
        browser.js(f"[...document.querySelectorAll('{card} .card-actions button')][2].click()")
        browser.js(f"document.querySelector('{card} .confirm .button.danger').click()")
        browser.wait(f"document.querySelectorAll('.resume-card').length === {count - 1}")
        assert browser.js("document.querySelector('#list-status').textContent") == "「결제 백엔드 이력서」 이력서를 삭제했습니다."
        in_view(browser, "#list-status")
    browser.call("Emulation.clearDeviceMetricsOverride")


def test_hub_messages_appear_where_the_member_acts(site, browser):
    """A public resume is a long page: feedback posted from the form under it is confirmed beside
    that form, at both widths, and a refused edit of a comment is told under that comment."""
    sign_in(browser, site, "dahye", "문다혜")
    resume_id = publish_example(browser, site)
    sign_in(browser, site, "junho", "배준호")
    for width in WIDTHS:
        browser.width(width)
        browser.open(f"{site}/resumes/{resume_id}.html")
        browser.wait("!document.querySelector('#comment-form').hidden")
        browser.js("""(() => { const f = document.querySelector('#comment-form');
            f.scrollIntoView({ block: 'end' }); f.elements.body.value = '프로젝트마다 맡은 역할이 분명해서 읽기 좋았습니다.';
            f.querySelector('button[type=submit]').click(); })()""")
        browser.wait("document.querySelector('#comment-status').textContent === '피드백을 남겼습니다.'")
        in_view(browser, "#comment-status")
        in_view(browser, "#comment-form button[type=submit]")
        browser.screenshot(f"hub-commented-{width}", full=False)
    # An edit the server refuses (an empty comment) is told under the comment being edited.
    browser.js("[...document.querySelectorAll('#comment-list .comment-actions button')].find((b) => b.textContent === '수정').click()")
    browser.js("""(() => { const li = document.querySelector('#comment-list .comment'); li.querySelector('textarea').value = '   ';
        li.scrollIntoView({ block: 'center' }); li.querySelector('.comment-actions .button').click(); })()""")
    browser.wait("document.querySelector('#comment-list .comment > .status.bad')?.textContent.length > 0")
    in_view(browser, "#comment-list .comment > .status")
    text = browser.js("document.querySelector('#comment-list .comment > .status').textContent")
    assert "body" not in text and text.endswith("."), text
    browser.call("Emulation.clearDeviceMetricsOverride")


def test_the_list_shows_each_resume_plainly_and_the_example_once(site, browser):
    sign_in(browser, site, "haeun", "정하은")
    browser.open(site + "/resume.html")
    browser.wait("!document.querySelector('#resume-list').hidden")
    browser.js("document.querySelector('#new-sample').click()")
    browser.wait("document.querySelector('#sheet [data-path]') !== null")
    first = browser.js("location.search")
    # Asking for the example again opens the same untouched copy.
    browser.open(site + "/resume.html")
    browser.wait("document.querySelectorAll('.resume-card').length === 1")
    browser.js("document.querySelector('#new-sample').click()")
    browser.wait(f"location.search === {json.dumps(first)} && document.querySelector('#sheet [data-path]') !== null")
    browser.open(site + "/resume.html")
    browser.wait("document.querySelectorAll('.resume-card').length === 1")
    meta = browser.js("document.querySelector('.resume-card .meta').textContent")
    assert meta.startswith("GITFOLIO 템플릿 · 한국어 · ") and meta.endswith(" 수정"), meta
    assert "ko" not in meta.split(" · ")
    assert browser.js("document.querySelector('.resume-card .state').textContent") == "비공개"
    assert browser.js("document.querySelector('.resume-card h2').textContent") == "예시 이력서 (김하늘)"
    browser.wait("document.querySelector('.resume-card img').complete && document.querySelector('.resume-card img').naturalWidth === 240")
    # The example as it came is nobody's resume: publishing it is refused with a sentence beside the
    # button, and the card stays private.
    browser.js("[...document.querySelectorAll('.resume-card button')].find(b => b.textContent === '허브에 공개').click()")
    browser.wait("document.querySelector('.resume-card .status.bad') !== null")
    assert browser.js("document.querySelector('.resume-card .status.bad').textContent") == \
        "예시 이력서를 그대로 공개할 수는 없습니다. 문장을 고치거나 내 저장소로 이력서를 만든 뒤 공개해 주세요."
    assert browser.js("document.querySelector('.resume-card .state').textContent") == "비공개"


def test_the_sign_in_pattern_is_one_chromium_accepts(site, browser):
    browser.open(site + "/index.html")
    header_ready(browser)
    if browser.js("!document.querySelector('#signout').hidden"):
        sign_out(browser)
    since = browser.mark()
    browser.open(site + "/login.html")
    # One of what the page can show; the form is the one expected (the others, with their text, say why not).
    blocks = "['#local-signin', '#signed-in', '#no-signin', '#login-error'].filter(s => !document.querySelector(s).hidden)"
    browser.wait(f"{blocks}.length > 0")
    shown = browser.js(f"{blocks}.map(s => s + ': ' + document.querySelector(s).textContent.trim().slice(0, 160))")
    assert shown[0].startswith("#local-signin"), shown
    # The browser checks the pattern itself (an invalid pattern is ignored, with a console error).
    browser.js("document.querySelector('[name=login]').value = '-bad'")
    assert browser.js("document.querySelector('[name=login]').validity.patternMismatch")
    browser.js("document.querySelector('[name=login]').value = 'good-name'")
    assert browser.js("document.querySelector('[name=login]').validity.valid")
    assert browser.console_errors(since) == []
    # A refusal from the server shows by the form, in words.
    browser.js("""(() => { const f = document.querySelector('#local-signin'); f.noValidate = true;
        f.elements.login.value = '-bad'; f.querySelector('button[type=submit]').click(); })()""")
    browser.wait("!document.querySelector('#login-error').hidden")
    in_view(browser, "#login-error")
    text = browser.js("document.querySelector('#login-error').textContent")
    assert text.startswith("아이디는 ") and "login" not in text, text


def test_the_editor_by_keyboard_alone(site, browser, llm):
    """Select part of a sentence, ask for a rewrite and accept it, with the keyboard only."""
    browser.width(1280)
    sign_in(browser, site, "keyboard", "키보드")
    browser.open(site + "/resume.html")
    browser.wait("!document.querySelector('#resume-list').hidden")
    browser.js("document.querySelector('#new-sample').click()")
    browser.wait("document.querySelector('#sheet [data-path]') !== null")
    target = "projects[0].bullets[2]"
    # Tab from the top of the page to the sentence.
    browser.js("document.activeElement?.blur(); window.scrollTo(0, 0)")
    for _ in range(80):
        if browser.js("document.activeElement?.dataset?.path") == target:
            break
        browser.key("Tab", vk=9)
    assert browser.js("document.activeElement.dataset.path") == target
    original = browser.js("document.activeElement.textContent")
    # Home, then Shift+Right over "Redis".
    browser.key("Home", vk=36)
    for _ in range(5):
        browser.key("ArrowRight", vk=39, modifiers=8)
    # The panel follows the selection as it grows (selectionchange comes after each key, not with it).
    browser.wait(f"!document.querySelector('#revise').hidden && document.querySelector('#revise-selection').textContent === {json.dumps(original[:5])}")
    # Enter goes to the request; typing and Enter ask for the rewrite.
    browser.key("Enter", vk=13, text="\r")
    assert browser.js("document.activeElement.name") == "instruction"
    llm.replies.append(json.dumps({"replacement": "Redis 기반"}, ensure_ascii=False))
    browser.call("Input.insertText", text="더 구체적으로")
    browser.key("Enter", vk=13, text="\r")
    browser.wait("!document.querySelector('#proposal').hidden")
    assert browser.js("document.activeElement.id") == "accept"
    assert browser.js("document.querySelector('#proposal-after').textContent") == "Redis 기반" + original[5:]
    in_view(browser, "#revise-status")
    # Enter on the focused Apply button accepts; focus returns to the sentence.
    browser.key("Enter", vk=13, text="\r")
    browser.wait("document.querySelector('#editor-status').textContent.startsWith('적용했습니다')")
    in_view(browser, "#editor-status")
    assert browser.js(f"document.querySelector('#sheet [data-path=\"{target}\"]').textContent") == "Redis 기반" + original[5:]
    assert browser.js("document.activeElement.dataset.path") == target
    browser.screenshot("editor-keyboard-accepted-1280", full=False)


def test_the_editor_switches_language_keeping_what_the_member_wrote(site, browser):
    """Korean to English from the same material, no model: the example's lines become English, the
    sentence the member wrote stays as written, marked and counted; undo brings the Korean back."""
    for width in (1280, 390):
        browser.width(width)
        sign_in(browser, site, f"switch{width}", "전환")
        browser.open(site + "/resume.html")
        browser.wait("!document.querySelector('#resume-list').hidden")
        browser.js("document.querySelector('#new-sample').click()")
        browser.wait("document.querySelector('#sheet [data-path]') !== null")
        assert browser.js("document.querySelector('#switch-language').textContent") == "영어로 바꾸기"
        path = "projects[0].bullets[0]"
        browser.js(f"""(() => {{ const el = document.querySelector('#sheet [data-path="{path}"]');
            el.focus(); el.textContent = '직접 쓴 문장'; el.blur(); }})()""")
        browser.wait("document.querySelector('#editor-status').textContent.startsWith('저장했습니다')")
        browser.js("document.querySelector('#switch-language').click()")
        browser.wait("document.querySelector('#editor-status').textContent.startsWith('언어를 바꿨습니다')")
        in_view(browser, "#editor-status")
        assert browser.js("document.querySelector('#switch-language').textContent") == "한국어로 바꾸기"
        assert "Troubleshooting" in browser.js("document.querySelector('#sheet').textContent")
        marked = browser.js("[...document.querySelectorAll('#sheet .needs-review')].map(e => e.dataset.path)")
        assert marked == [path]
        assert browser.js(f"document.querySelector('#sheet [data-path=\"{path}\"]').textContent") == "직접 쓴 문장"
        assert browser.js("document.querySelector('#hint-review').hidden") is False
        assert "1" in browser.js("document.querySelector('#hint-review').textContent")
        assert browser.js("document.documentElement.scrollWidth <= window.innerWidth")
        browser.screenshot(f"editor-switched-language-{width}", full=False)
        browser.js("document.querySelector('#undo').click()")
        browser.wait("document.querySelector('#switch-language').textContent === '영어로 바꾸기'")
        assert browser.js("document.querySelectorAll('#sheet .needs-review').length") == 0
        assert browser.js("document.querySelector('#hint-review').hidden") is True
