/* Word-compatible character count (Word's 字数) and live counters under form fields.
 *
 * window.jinxuanWordCount(text) -> number gives the same result as
 * jinxuan.textmining.wordcount.word_count in Python; the rules are documented there.  In short:
 * each CJK character, kana, hangul, full-width letter/digit, full-width or CJK punctuation mark,
 * curly quote, ——/…… and emoji counts 1; each run of other non-space characters (letters,
 * digits, half-width punctuation: "XPay," "3.5%" "e-CNY") counts 1; white space counts 0.
 * window.jinxuanWordCount.detail(text) -> {count, cjk, punctuation, latin_runs}.
 *
 * Every textarea/input with data-max-chars and/or data-min-chars gets a
 * <div class="char-counter" aria-live="polite"> right after it ("已输入 12 字 / 上限 200 字"),
 * with class "over" above the maximum, "under" below the minimum, and aria-invalid on the field.
 */
(function () {
  "use strict";

  // Code-point tables: identical to jinxuan/textmining/wordcount.py (a test compares them).
  var WHITESPACE = [
    [0x0009, 0x000D], [0x0020, 0x0020], [0x0085, 0x0085], [0x1680, 0x1680], [0x2000, 0x2006],
    [0x2008, 0x200B], [0x2028, 0x2029], [0x205F, 0x205F], [0x3000, 0x3000]
  ];
  var JOINERS = [
    [0x00A0, 0x00A0], [0x00AD, 0x00AD], [0x0300, 0x036F], [0x180B, 0x180F], [0x1AB0, 0x1AFF],
    [0x1DC0, 0x1DFF], [0x2007, 0x2007], [0x200C, 0x200F], [0x202A, 0x202F], [0x2060, 0x2069],
    [0x20D0, 0x20FF], [0x302A, 0x302F], [0x3099, 0x309A], [0xFE00, 0xFE0F], [0xFE20, 0xFE2F],
    [0xFEFF, 0xFEFF], [0x1F3FB, 0x1F3FF], [0xE0000, 0xE0FFF]
  ];
  var CJK = [
    [0x1100, 0x11FF], [0x2E80, 0x2FDF], [0x3005, 0x3007], [0x3021, 0x3029], [0x3031, 0x3035],
    [0x3038, 0x303C], [0x3041, 0x3098], [0x309B, 0x309F], [0x30A1, 0x30FA], [0x30FC, 0x30FF],
    [0x3100, 0x31FF], [0x3400, 0x4DBF], [0x4E00, 0x9FFF], [0xA000, 0xA4CF], [0xA960, 0xA97F],
    [0xAC00, 0xD7FF], [0xF900, 0xFAFF], [0xFF10, 0xFF19], [0xFF21, 0xFF3A], [0xFF41, 0xFF5A],
    [0xFF66, 0xFFDC], [0x1AFF0, 0x1B16F], [0x20000, 0x3FFFF]
  ];
  var PUNCT = [
    [0x00B7, 0x00B7], [0x2014, 0x2016], [0x2018, 0x2019], [0x201C, 0x201D], [0x2025, 0x2026],
    [0x203B, 0x203B], [0x2460, 0x24FF], [0x25A0, 0x25FF], [0x2FF0, 0x2FFF], [0x3001, 0x3004],
    [0x3008, 0x3020], [0x3030, 0x3030], [0x3036, 0x3037], [0x303D, 0x303F], [0x30A0, 0x30A0],
    [0x30FB, 0x30FB], [0x3200, 0x33FF], [0x4DC0, 0x4DFF], [0xFE10, 0xFE1F], [0xFE30, 0xFE6F],
    [0xFF01, 0xFF0F], [0xFF1A, 0xFF20], [0xFF3B, 0xFF40], [0xFF5B, 0xFF65], [0xFFE0, 0xFFEE]
  ];
  var EMOJI = [
    [0x231A, 0x231B], [0x23E9, 0x23FA], [0x2600, 0x27BF], [0x2B00, 0x2BFF], [0x1F000, 0x1F3FA],
    [0x1F400, 0x1FAFF]
  ];
  var APOSTROPHE = "\u2019";
  var ZWJ = "\\u200D";
  var REGIONAL_INDICATOR = "[\\u{1F1E6}-\\u{1F1FF}]";

  function charClass() {
    var out = "";
    for (var t = 0; t < arguments.length; t++) {
      arguments[t].forEach(function (range) {
        var lo = "\\u{" + range[0].toString(16) + "}";
        out += range[0] === range[1] ? lo : lo + "-\\u{" + range[1].toString(16) + "}";
      });
    }
    return out;
  }

  var J = "[" + charClass(JOINERS) + "]";
  var N = "[^" + charClass(WHITESPACE, JOINERS, CJK, PUNCT, EMOJI) + "]";
  var E = "[" + charClass(EMOJI) + "]";
  var NJ = "[^" + charClass(WHITESPACE, CJK, PUNCT, EMOJI) + "]";
  var LATIN_RUN = new RegExp(N + NJ + "*(?:" + APOSTROPHE + N + NJ + "*)*", "gu");
  var EMOJI_SEQ = new RegExp(
    E + "(?:(?<=" + REGIONAL_INDICATOR + ")" + REGIONAL_INDICATOR + ")?(?:" + ZWJ + E + "|" + J + ")*", "gu");
  var CJK_RUN = new RegExp("[" + charClass(CJK) + "]+", "gu");
  var PUNCT_RUN = new RegExp("[" + charClass(PUNCT) + "]+", "gu");

  function codePoints(strings) {
    var n = 0;
    strings.forEach(function (s) {
      for (var _ of s) n++; // eslint-disable-line no-unused-vars
    });
    return n;
  }

  function countDetail(text) {
    text = text == null ? "" : String(text);
    var runs = text.match(LATIN_RUN) || [];
    var apostrophes = runs.join("").split(APOSTROPHE).length - 1;
    var emoji = (text.match(EMOJI_SEQ) || []).length;
    var cjk = codePoints(text.match(CJK_RUN) || []);
    var punctuation = codePoints(text.match(PUNCT_RUN) || []) - apostrophes + emoji;
    return { count: cjk + punctuation + runs.length, cjk: cjk, punctuation: punctuation, latin_runs: runs.length };
  }

  function wordCount(text) {
    return countDetail(text).count;
  }
  wordCount.detail = countDetail;
  window.jinxuanWordCount = wordCount;

  // ---- live counters -------------------------------------------------------------------------

  var counterSeq = 0;

  function limit(el, name) {
    var raw = el.getAttribute(name);
    if (raw === null || raw.trim() === "") return null;
    var value = parseInt(raw, 10);
    return isNaN(value) ? null : value;
  }

  function update(el, counter) {
    var max = limit(el, "data-max-chars");
    var min = limit(el, "data-min-chars");
    var n = wordCount(el.value);
    var over = max !== null && n > max;
    // An untouched empty field is not flagged; `required` covers emptiness.
    var under = min !== null && n < min && (n > 0 || el.dataset.charCounterTouched === "1");
    var parts = ["已输入 " + n + " 字"];
    if (min !== null) parts.push("至少 " + min + " 字");
    if (max !== null) parts.push("上限 " + max + " 字");
    var text = parts.join(" / ");
    if (over) text += "（超出 " + (n - max) + " 字）";
    else if (under) text += "（还差 " + (min - n) + " 字）";
    counter.textContent = text;
    counter.classList.toggle("over", over);
    counter.classList.toggle("under", under);
    if (over || under) {
      el.setAttribute("aria-invalid", "true");
      el.dataset.charCounterInvalid = "1";
    } else if (el.dataset.charCounterInvalid === "1") {
      // Only undo what we set: a server-side error may have set aria-invalid too.
      el.removeAttribute("aria-invalid");
      delete el.dataset.charCounterInvalid;
    }
  }

  function bind(el) {
    if (el.dataset.charCounterBound === "1") return;
    el.dataset.charCounterBound = "1";
    var counter = el.nextElementSibling;
    if (!counter || !counter.classList.contains("char-counter")) {
      counter = document.createElement("div");
      counter.className = "char-counter";
      el.insertAdjacentElement("afterend", counter);
    }
    counter.setAttribute("aria-live", "polite");
    if (!counter.id) counter.id = "char-counter-" + (++counterSeq);
    var described = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (described.indexOf(counter.id) < 0) {
      described.push(counter.id);
      el.setAttribute("aria-describedby", described.join(" "));
    }
    el.addEventListener("input", function () {
      el.dataset.charCounterTouched = "1";
      update(el, counter);
    });
    el.addEventListener("change", function () { update(el, counter); });
    update(el, counter);
  }

  function scan() {
    var fields = document.querySelectorAll(
      "textarea[data-max-chars], textarea[data-min-chars], input[data-max-chars], input[data-min-chars]");
    Array.prototype.forEach.call(fields, bind);
  }
  window.jinxuanWordCount.scan = scan;

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
  document.addEventListener("htmx:afterSwap", scan);
})();
