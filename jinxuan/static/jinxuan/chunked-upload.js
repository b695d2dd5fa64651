// Sends attachment files in 4 MB pieces; after a dropped connection it asks the
// server how much arrived and carries on from there. Progress shows on the form.
(function () {
  "use strict";
  const csrf = () => (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function json(response) {
    let body = {};
    try { body = await response.json(); } catch (e) { body = {}; }
    return { ok: response.ok, status: response.status, body };
  }

  class Refused extends Error {}  // the server said no for good (locked application, quota, bad file): no retry
  const retryable = (status) => status === 503 || status === 507;  // busy or full: the pieces are kept

  async function cancel(base, id) {
    try { await fetch(`${base}${id}/`, { method: "DELETE", headers: { "X-CSRFToken": csrf() } }); } catch (e) { /* expires by itself */ }
  }

  async function send(row, file, status) {
    const base = row.dataset.chunkedUrl;
    const key = row.dataset.key;
    const start = new FormData();
    start.append("key", key); start.append("filename", file.name); start.append("size", String(file.size));
    let r = await json(await fetch(base, { method: "POST", body: start, headers: { "X-CSRFToken": csrf() } }));
    if (!r.ok) throw new Error(r.body.detail || "上传失败");
    const id = r.body.upload_id, size = r.body.chunk_size;
    let offset = 0, failures = 0;
    while (offset < file.size) {
      status.textContent = `上传中 ${Math.floor((offset / file.size) * 100)}%`;
      try {
        const piece = file.slice(offset, offset + size);
        r = await json(await fetch(`${base}${id}/?offset=${offset}`, { method: "PUT", body: piece, headers: { "X-CSRFToken": csrf() } }));
        if (r.ok) { offset = r.body.offset; failures = 0; continue; }
        if (r.status === 409 && typeof r.body.offset === "number") { offset = r.body.offset; continue; }
        if (!retryable(r.status)) throw new Refused(r.body.detail || "上传失败");
        throw new Error(r.body.detail || "服务繁忙，请稍后再试");
      } catch (err) {
        if (err instanceof Refused) { await cancel(base, id); throw err; }
        if (++failures > 8) throw new Error(err.message && failures > 1 ? err.message : "网络中断，请稍后重试（已上传的部分会保留）");
        status.textContent = err.message && !(err instanceof TypeError) ? `${err.message}，正在重试…` : "网络中断，正在重试…";
        await sleep(1000 * failures);
        const probe = await json(await fetch(`${base}${id}/`, { headers: { "X-CSRFToken": csrf() } }));
        if (probe.ok) offset = probe.body.offset;
      }
    }
    status.textContent = "正在校验文件…";
    const done = new FormData();
    done.append("key", key);
    row.querySelectorAll("input[name^='issuer-'], input[name^='valid_until-']").forEach((el) => done.append(el.name.split("-")[0], el.value));
    for (let attempt = 1; ; attempt++) {
      r = await json(await fetch(`${base}${id}/finish/`, { method: "POST", body: done, headers: { "X-CSRFToken": csrf() } }));
      if (r.ok || !retryable(r.status) || attempt >= 5) break;
      status.textContent = `${r.body.detail || "服务繁忙"}，正在重试…`;
      await sleep(2000 * attempt);
    }
    if (!r.ok) throw new Error(r.body.detail || "文件未通过校验");
  }

  async function saveFirst(form) {
    // the answers typed so far are stored before the page reloads with the new file
    const data = new FormData();
    for (const el of form.elements) {
      if (!el.name || el.type === "file" || el.type === "submit" || ((el.type === "checkbox" || el.type === "radio") && !el.checked)) continue;
      data.append(el.name, el.value);
    }
    const url = form.getAttribute("hx-post");
    if (url) await fetch(url, { method: "POST", body: data, headers: { "X-CSRFToken": csrf() } });
  }

  document.addEventListener("submit", async function (event) {
    const button = event.submitter;
    if (!button || button.name !== "_upload") return;
    const form = event.target;
    const row = button.closest("[data-chunked-url]");
    const input = row && row.querySelector("input[type=file]");
    const file = input && input.files[0];
    if (!file || file.size < Number(row.dataset.chunkedMin || 8 * 1024 * 1024)) return;  // small files: plain upload
    event.preventDefault();
    let status = row.querySelector(".upload-status");
    if (!status) { status = document.createElement("span"); status.className = "upload-status"; status.setAttribute("role", "status"); row.appendChild(status); }
    button.disabled = true;
    try {
      await saveFirst(form);
      await send(row, file, status);
      window.location.reload();
    } catch (err) {
      status.textContent = err.message;
      status.classList.add("error");
      button.disabled = false;
    }
  });
})();
