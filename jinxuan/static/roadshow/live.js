/* Roadshow live pages: poll a small JSON endpoint every 2 s and update in place (no reload of the board).
 * Countdowns run from the seconds the server reported (its timestamps are the truth), not from the local clock.
 * data-live: JSON url; data-mode: board | judge | control. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root) return;
  var url = root.getAttribute("data-live");
  var mode = root.getAttribute("data-mode");
  var INTERVAL = 2000;
  var last = null;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function mmss(s) {
    var over = s < 0;
    s = Math.abs(s);
    return (over ? "超时 " : "") + pad(Math.floor(s / 60)) + ":" + pad(s % 60);
  }
  function node(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }
  function cells(tr, values) {
    values.forEach(function (v) {
      if (v instanceof Node) { var td = node("td"); td.appendChild(v); tr.appendChild(td); }
      else tr.appendChild(node("td", null, v));
    });
    return tr;
  }
  function fill(id, children) {
    var target = document.getElementById(id);
    if (!target) return;
    while (target.firstChild) target.removeChild(target.firstChild);
    children.forEach(function (c) { target.appendChild(c); });
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-remaining]").forEach(function (n) {
      var at = Number(n.getAttribute("data-at") || now);
      var left = Number(n.getAttribute("data-remaining")) - Math.floor((now - at) / 1000);
      n.textContent = mmss(left);
      n.classList.toggle("over", left < 0);
      n.classList.toggle("soon", left >= 0 && left <= 60);
    });
  }
  function countdown(timer) {
    var n = node("span", "countdown");
    n.setAttribute("data-remaining", timer.remaining);
    n.setAttribute("data-at", Date.now());
    n.textContent = mmss(timer.remaining);
    return n;
  }

  function renderCurrent(c) {
    if (!c) return [node("p", "muted", "暂无进行中的答辩")];
    var out = [node("div", "now-pos", "第 " + c.position + " 场 · " + c.state_label),
               node("div", "now-title", c.title), node("div", "now-lead", c.lead)];
    if (c.timer) {
      var t = node("div", "now-timer");
      t.appendChild(node("span", "phase", c.timer.label + "剩余"));
      t.appendChild(countdown(c.timer));
      out.push(t);
    }
    return out;
  }

  function renderBoard(d) {
    fill("current", renderCurrent(d.current));
    root.classList.toggle("scores-hidden", !d.live);
    fill("results-body", d.results.map(function (r) {
      var scores = node("span", "scores");
      r.judges.forEach(function (j) {
        var s = node("span", "score" + (j.dropped ? " dropped " + j.dropped : ""), j.judge + " " + j.score);
        if (j.dropped) s.title = j.dropped === "high" ? "去掉的最高分" : "去掉的最低分";
        scores.appendChild(s);
      });
      return cells(node("tr"), [r.position, r.title, r.lead, scores, node("strong", null, r.aggregate)]);
    }));
    fill("ranking-body", d.ranking.map(function (r) {
      return cells(node("tr"), [r.rank, r.title, r.lead, node("strong", null, r.aggregate)]);
    }));
    fill("schedule-body", d.schedule.map(function (s) {
      var tr = cells(node("tr", "slot-" + s.state), [s.position, s.planned, s.title, s.lead, s.state_label]);
      return tr;
    }));
    var count = document.getElementById("closed-count");
    if (count) count.textContent = String(d.results.length);
  }

  function dirty() {
    return Array.prototype.some.call(root.querySelectorAll("input:not([type=hidden]), textarea"),
      function (i) { return i.value !== i.defaultValue || document.activeElement === i; });
  }

  function renderJudge(d) {
    var here = root.getAttribute("data-slot") + "/" + root.getAttribute("data-state");
    var there = (d.slot || "") + "/" + (d.state || "");
    if (here !== there) {
      if (!dirty()) { window.location.reload(); return; }
      var banner = document.getElementById("changed");
      if (banner) banner.hidden = false;
    }
    var t = document.getElementById("judge-timer");
    if (t) fill("judge-timer", d.timer ? [node("span", "phase", d.timer.label + "剩余 "), countdown(d.timer)] : []);
  }

  function renderControl(d) {
    fill("current", renderCurrent(d.current));
    fill("signatures", d.signatures.map(function (s) {
      var box = node("div", "sig-slot");
      box.appendChild(node("h3", null, "第 " + s.position + " 场 · " + s.title));
      var list = node("ul", "sig-list");
      s.judges.forEach(function (j) {
        var label = {signed: "已签署", draft: "评分中", none: "未评分"}[j.status];
        list.appendChild(node("li", "sig " + j.status, j.judge + "（" + j.name + "）" + label));
      });
      box.appendChild(list);
      return box;
    }));
    var states = d.schedule.map(function (s) { return s.id + ":" + s.state; }).join(",");
    var known = root.getAttribute("data-states");
    if (known !== null && states !== known) {
      if (!dirty()) { window.location.reload(); return; }
      var banner = document.getElementById("changed");
      if (banner) banner.hidden = false;
    }
  }

  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, cache: "no-store", credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (text) {
        var d = JSON.parse(text);
        var same = text.replace(/"(now|elapsed|remaining)":[^,}]*/g, "") === last;
        last = text.replace(/"(now|elapsed|remaining)":[^,}]*/g, "");
        if (mode === "judge") renderJudge(d);
        else if (mode === "control") renderControl(d);
        else if (!same) renderBoard(d);
        else if (d.current && d.current.timer) fill("current", renderCurrent(d.current));
        root.classList.remove("offline");
      })
      .catch(function () { root.classList.add("offline"); })
      .then(function () { window.setTimeout(poll, INTERVAL); });
  }

  document.querySelectorAll("[data-remaining]").forEach(function (n) { n.setAttribute("data-at", Date.now()); });
  window.setInterval(tick, 250);
  window.setTimeout(poll, mode === "board" ? 0 : INTERVAL);
})();
