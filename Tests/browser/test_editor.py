"""The resume editor as a person uses it, in Debian's Chromium against `gitfolio serve` and a fake
OpenAI-compatible model server: sign in locally, open a resume, edit a sentence, select a passage and
ask for a rewrite, accept it, undo it, switch template, see the evidence, download the PDF."""
import glob
import json
import os
import subprocess
import tempfile
import time

BULLET = "projects[0].bullets[1]"
SELECTED = "주문 생성, 결제 승인, 환불 API"
REPLACEMENT = "주문 생성부터 환불까지 이어지는 결제 API"


def sheet_text(browser, path):
    return browser.js(f"document.querySelector('#sheet [data-path=\"{path}\"]')?.textContent")


def type_into(browser, path, text):
    """Focuses a sentence, selects all of it and types over it, then presses Enter."""
    browser.js(f"""(() => {{ const el = document.querySelector('#sheet [data-path="{path}"]');
        el.focus(); const r = document.createRange(); r.selectNodeContents(el);
        const s = getSelection(); s.removeAllRanges(); s.addRange(r); }})()""")
    browser.call("Input.insertText", text=text)
    for kind in ("keyDown", "keyUp"):
        browser.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13)


def test_editor_from_sample_to_pdf(site, browser, llm):
    browser.open(site + "/login.html")
    browser.wait("!document.querySelector('#local-signin').hidden")
    browser.js("""(() => { const f = document.querySelector('#local-signin');
        f.elements.login.value = 'editor'; f.elements.name.value = '박에디터';
        f.querySelector('button[type=submit]').click(); })()""")
    browser.wait("location.pathname === '/me.html'")

    # The list is empty; a local member starts from the example resume.
    browser.open(site + "/resume.html")
    browser.wait("!document.querySelector('#resume-list').hidden && !document.querySelector('#no-resumes').hidden")
    assert not browser.js("document.querySelector('#generate-local').hidden")
    browser.js("document.querySelector('#new-sample').click()")
    browser.wait("location.search.startsWith('?id=') && document.querySelector('#sheet [data-path]') !== null")
    # The example is one made-up person throughout, not the member's name over someone else's projects.
    assert browser.js("document.querySelector('#sheet .gf-name').textContent") == "김하늘"
    assert browser.js("document.querySelector('#version').textContent") == "버전 1"
    browser.screenshot("editor-ko")

    # Edit a sentence in place: typing over it and pressing Enter saves it with the version.
    type_into(browser, "aboutMe", "결제 도메인의 정확성을 측정으로 지키는 백엔드 개발자입니다.")
    browser.wait("document.querySelector('#version').textContent === '버전 2'")
    assert browser.js("document.querySelector('#editor-status').textContent") == "저장했습니다."
    assert sheet_text(browser, "aboutMe") == "결제 도메인의 정확성을 측정으로 지키는 백엔드 개발자입니다."

    # Escape puts the sentence back and saves nothing.
    browser.js("""(() => { const el = document.querySelector('#sheet [data-path="aboutMe"]');
        el.focus(); const r = document.createRange(); r.selectNodeContents(el);
        const s = getSelection(); s.removeAllRanges(); s.addRange(r); })()""")
    browser.call("Input.insertText", text="버릴 문장")
    assert sheet_text(browser, "aboutMe") == "버릴 문장"
    for kind in ("keyDown", "keyUp"):
        browser.call("Input.dispatchKeyEvent", type=kind, key="Escape", code="Escape", windowsVirtualKeyCode=27)
    assert sheet_text(browser, "aboutMe") == "결제 도메인의 정확성을 측정으로 지키는 백엔드 개발자입니다."
    assert browser.js("document.querySelector('#version').textContent") == "버전 2"

    # The evidence of a sentence shows when it has focus.
    browser.js(f"document.querySelector('#sheet [data-path=\"{BULLET}\"]').focus()")
    browser.wait("document.querySelector('#evidence-list').textContent.includes('market-api의 build.gradle 파일')")
    assert browser.js("document.querySelector('#evidence-list a').href") == "https://github.com/haneul-kim/market-api/blob/HEAD/build.gradle"
    assert "market-api:file" not in browser.js("document.querySelector('#evidence-list').textContent")

    # Select a passage and ask for a rewrite: the proposal stands beside the original; nothing is saved yet.
    original = sheet_text(browser, BULLET)
    start = original.index(SELECTED)
    browser.js(f"""(() => {{ const el = document.querySelector('#sheet [data-path="{BULLET}"]');
        const text = el.firstChild; const r = document.createRange();
        r.setStart(text, {start}); r.setEnd(text, {start + len(SELECTED)});
        const s = getSelection(); s.removeAllRanges(); s.addRange(r); }})()""")
    browser.wait("!document.querySelector('#revise').hidden")
    assert browser.js("document.querySelector('#revise-selection').textContent") == SELECTED
    llm.replies.append(json.dumps({"replacement": REPLACEMENT}, ensure_ascii=False))
    browser.js("""(() => { const f = document.querySelector('#revise-form');
        f.elements.instruction.value = '더 자연스럽게'; f.querySelector('button[type=submit]').click(); })()""")
    browser.wait("!document.querySelector('#proposal').hidden")
    assert browser.js("document.querySelector('#proposal-before').textContent") == original
    assert browser.js("document.querySelector('#proposal-after').textContent") == original.replace(SELECTED, REPLACEMENT)
    assert sheet_text(browser, BULLET) == original
    sent = llm.seen[-1]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer sk-browser-test"
    assert "더 자연스럽게" in json.dumps(sent["json"], ensure_ascii=False)
    browser.screenshot("editor-revise-proposal-ko")

    # Accept it, then undo it.
    browser.js("document.querySelector('#accept').click()")
    browser.wait("document.querySelector('#version').textContent === '버전 3'")
    assert sheet_text(browser, BULLET) == original.replace(SELECTED, REPLACEMENT)
    browser.screenshot("editor-accepted-ko")
    browser.js("document.querySelector('#undo').click()")
    browser.wait("document.querySelector('#version').textContent === '버전 4'")
    assert sheet_text(browser, BULLET) == original
    assert browser.js("document.querySelector('#editor-status').textContent") == "되돌렸습니다."

    # Switching template is instant and is kept.
    assert browser.js("document.querySelector('#sheet .gf-gitfolio') !== null")
    browser.js("document.querySelector('[data-template=STAR]').click()")
    assert browser.js("document.querySelector('#sheet .gf-star') !== null")
    assert browser.js("document.querySelector('#sheet [data-path=\"projects[0].star.situation\"]') !== null")
    browser.wait("document.querySelector('#version').textContent === '버전 5'")
    browser.screenshot("editor-star-ko")
    # Open the page afresh (a reload races with the old page, which also shows STAR).
    browser.open(browser.js("location.href"))
    browser.wait("document.querySelector('#sheet .gf-star') !== null"
                 " && document.querySelector('[data-template=STAR]').getAttribute('aria-checked') === 'true'")

    # Markup typed into a sentence is shown as text, never run.
    type_into(browser, "projects[0].summary", "<img src=x onerror=alert(1)>")
    browser.wait("document.querySelector('#version').textContent === '버전 6'")
    assert sheet_text(browser, "projects[0].summary") == "<img src=x onerror=alert(1)>"
    assert browser.js("document.querySelectorAll('#sheet img').length") == 0
    assert browser.dialogs() == []

    # Plain fields are edited the same way: a project's name, the tech stack.
    type_into(browser, "projects[1].name", "settlement-batch")
    browser.wait("document.querySelector('#version').textContent === '버전 7'")
    type_into(browser, "techStack", "Java, Kotlin · Swift")
    browser.wait("document.querySelector('#version').textContent === '버전 8'")
    assert sheet_text(browser, "techStack") == "Java\u00a0· Kotlin\u00a0· Swift"
    assert sheet_text(browser, "projects[1].name") == "settlement-batch"

    # Download the PDF: the STAR template with the edits.
    downloads = tempfile.mkdtemp(prefix="gitfolio-downloads-")
    browser.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=downloads)
    href = browser.js("document.querySelector('#download').getAttribute('href')")
    assert "format=pdf" in href and "template=STAR" in href
    browser.js("document.querySelector('#download').click()")
    deadline = time.time() + 20
    while time.time() < deadline and not [f for f in glob.glob(os.path.join(downloads, "*.pdf"))]:
        time.sleep(0.1)
    files = glob.glob(os.path.join(downloads, "*.pdf"))
    assert files, "no PDF was downloaded"
    assert os.path.basename(files[0]) == "김하늘-resume.pdf"
    with open(files[0], "rb") as f:
        assert f.read(5) == b"%PDF-"
    text = subprocess.run(["pdftotext", files[0], "-"], capture_output=True, text=True, check=True).stdout
    assert "결제 도메인의 정확성을 측정으로 지키는 백엔드 개발자입니다." in text
    assert "상황" in text and "트러블슈팅" not in text
    assert "<img src=x onerror=alert(1)>" in text
    assert "settlement-batch" in text and "Java · Kotlin · Swift" in " ".join(text.split())


def test_editor_in_english(site, browser):
    browser.open(site + "/en/resume.html")
    browser.wait("!document.querySelector('#resume-list').hidden")
    browser.js("document.querySelector('#new-sample').click()")
    browser.wait("document.querySelector('#sheet [data-path]') !== null")
    assert browser.js("document.querySelector('#sheet .gf-resume').lang") == "en"
    assert browser.js("document.querySelector('#download').textContent") == "Download PDF"
    assert "About me" in browser.js("document.querySelector('#sheet').textContent")
    browser.screenshot("editor-en")
