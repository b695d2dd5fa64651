// Keeps a local copy of the application form so nothing typed is lost when the
// browser closes or the session expires before autosave reaches the server.
(function () {
  "use strict";
  function snapshot(form) {
    const data = {};
    for (const el of form.elements) {
      if (!el.name || el.type === "hidden" || el.type === "file") continue;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) (data[el.name] = data[el.name] || []).push(el.value);
      } else {
        data[el.name] = el.value;
      }
    }
    return data;
  }
  function restore(form, data) {
    for (const el of form.elements) {
      if (!el.name || !(el.name in data) || el.type === "hidden" || el.type === "file") continue;
      if (el.type === "checkbox" || el.type === "radio") el.checked = data[el.name].includes(el.value);
      else el.value = data[el.name];
      el.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("application-form");
    if (!form) return;
    const key = form.dataset.draftKey;
    const serverTime = Number(form.dataset.serverUpdated || 0);
    let saved = null;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (saved && saved.t / 1000 > serverTime + 2 && !saved.synced) {
      const bar = document.createElement("div");
      bar.className = "restore-bar";
      bar.innerHTML = '本机保存有 <strong></strong> 的未同步内容。 <button type="button">恢复</button> <button type="button" class="link">忽略</button>';
      bar.querySelector("strong").textContent = new Date(saved.t).toLocaleString("zh-CN");
      bar.querySelectorAll("button")[0].onclick = function () { restore(form, saved.data); bar.remove(); form.dispatchEvent(new Event("change", { bubbles: true })); };
      bar.querySelectorAll("button")[1].onclick = function () { localStorage.removeItem(key); bar.remove(); };
      form.prepend(bar);
    }
    let timer = null;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        localStorage.setItem(key, JSON.stringify({ t: Date.now(), data: snapshot(form), synced: false }));
      }, 300);
    });
    document.body.addEventListener("htmx:afterRequest", function (evt) {
      if (evt.detail.elt !== form) return;
      const status = document.getElementById("autosave-status");
      if (evt.detail.successful) {
        localStorage.setItem(key, JSON.stringify({ t: Date.now(), data: snapshot(form), synced: true }));
      } else if (status) {
        status.innerHTML = '<span class="error">自动保存失败（登录可能已过期或网络中断），内容已保存在本机，请重新登录后点击“保存”。</span>';
      }
    });
  });
})();
