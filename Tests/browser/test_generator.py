"""Signing in with GitHub and generating a resume from one's repositories, in Debian's Chromium:
`gitfolio serve` with an OAuth app whose GitHub is the fake server of the test support, no model
configured (the offline writer writes), through the generator form into the editor."""


def test_github_sign_in_and_generate(github_site, browser):
    browser.open(github_site + "/login.html")
    browser.wait("!document.querySelector('#github-signin').hidden")
    assert browser.js("document.querySelector('#local-signin').hidden")  # a GitHub app is configured
    browser.js("document.querySelector('#github-button').click()")
    # Our login → the fake GitHub's authorize page (which approves at once) → our callback → My page.
    browser.wait("location.pathname === '/me.html' && document.querySelector('#who').textContent === 'alice-dev 님'", timeout=20)

    browser.open(github_site + "/resume.html")
    browser.wait("!document.querySelector('#generate').hidden && document.querySelectorAll('[name=repository]').length === 2")
    assert browser.js("document.querySelector('#generate-local').hidden")
    names = browser.js("[...document.querySelectorAll('[name=repository]')].map(i => i.value).sort()")
    assert names == ["alice-dev/notes-api", "alice-dev/shop-web"]
    browser.screenshot("generator-ko")

    # Nothing chosen: the page says so and asks nothing of the server.
    browser.js("document.querySelector('#generate button[type=submit]').click()")
    browser.wait("document.querySelector('#generate .status').textContent === '저장소를 하나 이상 고르세요.'")

    browser.js("""(() => { const f = document.querySelector('#generate');
        f.querySelector('[value="alice-dev/shop-web"]').checked = true;
        f.elements.template.value = 'GITFOLIO';
        f.querySelector('button[type=submit]').click(); })()""")
    browser.wait("location.search.startsWith('?id=') && document.querySelector('#sheet [data-path]') !== null", timeout=20)
    text = browser.js("document.querySelector('#sheet').textContent")
    assert "shop-web" in text and "notes-api" not in text
    assert "커밋 3개 작성" in text  # the member's own commits, from GitHub's REST API
    assert browser.js("document.querySelector('#sheet .gf-gitfolio') !== null")
    assert browser.js("document.querySelector('[data-template=GITFOLIO]').getAttribute('aria-checked')") == "true"
    # Each generated sentence carries the evidence it rests on.
    browser.js("document.querySelector('#sheet [data-path=\"projects[0].bullets[0]\"]').focus()")
    browser.wait("document.querySelector('#evidence-list').textContent === 'shop-web의 커밋 기록'")
    assert browser.js("document.querySelector('#evidence-list a').href") == "https://github.com/alice-dev/shop-web/commits"
    browser.screenshot("generated-ko")

    # No model on this server: the editor says so before anyone tries, and selecting offers no request.
    assert not browser.js("document.querySelector('#hint-no-ai').hidden")
    browser.js("""(() => { const el = document.querySelector('#sheet [data-path="projects[0].bullets[0]"]');
        const r = document.createRange(); r.setStart(el.firstChild, 0); r.setEnd(el.firstChild, 2);
        const s = getSelection(); s.removeAllRanges(); s.addRange(r); })()""")
    browser.wait("!document.querySelector('#revise').hidden")
    assert not browser.js("document.querySelector('#revise-unavailable').hidden")
    assert browser.js("document.querySelector('#revise-form').hidden")
    assert "GITFOLIO_LLM" not in browser.js("document.querySelector('#revise').textContent")

    # The new resume is listed.
    browser.open(github_site + "/resume.html")
    browser.wait("document.querySelectorAll('#resumes li').length === 1")
