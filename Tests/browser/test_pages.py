"""The pages as a person uses them, in Debian's Chromium: both languages, the local sign-in,
My page editing with the server's validation, escaping of hostile input, and sign-out."""


def test_landing_in_both_languages(site, browser):
    browser.open(site + "/")
    browser.wait("!document.querySelector('#signin-link').hidden")
    assert browser.js("document.documentElement.lang") == "ko"
    assert "GitHub 활동을" in browser.js("document.querySelector('h1').textContent")
    browser.screenshot("landing-ko")
    browser.js("document.querySelector('a.lang').click()")
    browser.wait("location.pathname === '/en/index.html' && document.readyState === 'complete'")
    assert browser.js("document.documentElement.lang") == "en"
    assert "From your GitHub work" in browser.js("document.querySelector('h1').textContent")


def test_my_page_from_sign_in_to_sign_out(site, browser):
    browser.open(site + "/login.html")
    browser.wait("!document.querySelector('#local-signin').hidden")
    assert browser.js("document.querySelector('#github-signin').hidden")  # no GitHub app configured
    browser.screenshot("login-ko")
    browser.js("""(() => { const f = document.querySelector('#local-signin');
        f.elements.login.value = 'minji'; f.elements.name.value = '이민지';
        f.querySelector('button[type=submit]').click(); })()""")
    browser.wait("location.pathname === '/me.html' && !document.querySelector('#profile').hidden")
    browser.wait("document.querySelector('#who').textContent === 'minji 님'")
    assert browser.js("document.querySelector('#profile').elements.name.value") == "이민지"

    # Pages other than My page ask the `session` function who is signed in.
    browser.open(site + "/")
    browser.wait("document.querySelector('#who').textContent === 'minji 님' && document.querySelector('#signin-link').hidden")
    browser.open(site + "/me.html")
    browser.wait("!document.querySelector('#profile').hidden")

    # Fill the form the way a person does: fields, a new education entry, a link; then save.
    browser.js("""(() => { const f = document.querySelector('#profile');
        f.elements.email.value = 'minji@example.com';
        f.querySelector('select[name=jobRole]').value = 'AI';
        document.querySelector('[data-list=education] .add').click();
        const e = document.querySelector('[data-list=education] .item');
        e.querySelector('[name=schoolType]').value = 'UNIVERSITY_BACHELOR';
        e.querySelector('[name=status]').value = 'GRADUATED';
        e.querySelector('[name=schoolName]').value = '서울대학교';
        e.querySelector('[name=start]').value = '2018.03';
        e.querySelector('[name=end]').value = '2022.02';
        document.querySelector('[data-list=links] .add').click();
        const l = document.querySelector('[data-list=links] .item');
        l.querySelector('[name=title]').value = 'Blog';
        l.querySelector('[name=url]').value = 'https://minji.example';
        f.querySelector('button[type=submit]').click(); })()""")
    browser.wait("document.querySelector('#me-status').textContent === '저장했습니다.'")
    browser.screenshot("me-saved-ko")

    browser.open(site + "/me.html")
    browser.wait("document.querySelector('[data-list=education] .item') !== null")
    assert browser.js("document.querySelector('[name=schoolName]').value") == "서울대학교"
    # The choices made are kept; a new entry's choices start empty, so nobody is put in a private
    # academy by default.
    assert browser.js("document.querySelector('[data-list=education] [name=schoolType]').value") == "UNIVERSITY_BACHELOR"
    assert browser.js("document.querySelector('select[name=jobRole]').value") == "AI"
    browser.js("document.querySelector('[data-list=education] .add').click()")
    assert browser.js("[...document.querySelectorAll('[data-list=education] [name=schoolType]')].pop().value") == ""
    browser.js("[...document.querySelectorAll('[data-list=education] .item')].pop().querySelector('.link').click()")

    # The server's validation message reaches the person, and nothing is saved.
    browser.js("""(() => { document.querySelector('[name=end]').value = '2017.01';
        document.querySelector('#profile button[type=submit]').click(); })()""")
    browser.wait("document.querySelector('#me-status').textContent === '고쳐야 할 항목이 1개 있습니다.'")
    assert browser.js("document.querySelector('#me-errors li').textContent") == "학력 1번째 항목의 종료 시기는 시작보다 앞설 수 없습니다."
    assert browser.js("document.querySelector('[data-list=education] [name=end]').getAttribute('aria-invalid')") == "true"
    assert browser.js("document.querySelector('[data-list=education] [name=end] + .field-error').textContent") == \
        "학력 1번째 항목의 종료 시기는 시작보다 앞설 수 없습니다."
    assert browser.js("document.activeElement.id") == "me-errors"
    browser.js("document.querySelector('#me-errors a').click()")
    assert browser.js("document.activeElement.name") == "end"
    browser.screenshot("me-invalid-ko")
    browser.open(site + "/en/me.html")
    browser.wait("document.querySelector('[name=end]') !== null")
    assert browser.js("document.querySelector('[name=end]').value") == "2022.02"
    assert browser.js("document.querySelector('#who').textContent") == "minji"
    browser.screenshot("me-en")

    # Hostile input is stored as text and never executed.
    hostile = "<img src=x onerror=alert(1)>"
    browser.js(f"""(() => {{ const f = document.querySelector('#profile');
        f.elements.name.value = {hostile!r}; f.querySelector('button[type=submit]').click(); }})()""")
    browser.wait("document.querySelector('#me-status').textContent === 'Saved.'")
    browser.open(site + "/en/me.html")
    browser.wait("document.querySelector('#profile') && !document.querySelector('#profile').hidden")
    assert browser.js("document.querySelector('#profile').elements.name.value") == hostile
    assert browser.js("document.querySelectorAll('img').length") == 0
    assert browser.dialogs() == []

    # Sign out: the header offers sign-in again and My page asks to sign in.
    browser.js("document.querySelector('#signout').click()")
    browser.wait("location.pathname === '/en/index.html' && document.readyState === 'complete'")
    browser.wait("!document.querySelector('#signin-link').hidden")
    browser.open(site + "/me.html")
    browser.wait("!document.querySelector('#me-signin').hidden")
    assert browser.js("document.querySelector('#profile').hidden")
