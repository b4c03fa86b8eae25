/* The online forms (generator/templates/forms/): sent with fetch and answered in place.
   Every form works without this script: it posts to the service, which answers with a page
   in the site's look (the receipt, or the form again with an error summary). With it:
   - a submission asks for JSON; 201 replaces the form with the receipt, filled into the
     receipt template the page carries (receipt.html, so its words are written once);
   - 422 shows the error summary at the top (focused) and each message at its field;
   - other refusals (403, 409, 413, 429, 503 …) and a lost connection show a message and
     keep everything filled in;
   - the lookup form shows the progress below it; lookup/ and rate/ take the receipt number
     (and rate/ the item) from the query string. */
(function () {
  "use strict";
  if (window.ippsForms) return; // the script may be included by several templates of a page
  if (!window.fetch || !window.FormData || !window.URLSearchParams || !window.CSS) return; // plain posts
  window.ippsForms = true;

  var NETWORK = "网络连接失败，本次没有提交成功。您填写的内容仍保留在表单中，请检查网络后重新提交。";
  var UNEXPECTED = "服务暂时无法处理，本次没有提交成功。您填写的内容仍保留在表单中，请稍后重试。";
  var params = new URLSearchParams(window.location.search);

  function make(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function cnDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    return m ? Number(m[1]) + "年" + Number(m[2]) + "月" + Number(m[3]) + "日" : "";
  }

  function cnTime(iso) {
    var m = /T(\d{2}:\d{2})/.exec(iso || "");
    return cnDate(iso) + (m ? " " + m[1] : "");
  }

  function describedBy(node, id, add) {
    var ids = (node.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (add) ids.push(id);
    if (ids.length) node.setAttribute("aria-describedby", ids.join(" "));
    else node.removeAttribute("aria-describedby");
  }

  // A link of an error summary puts the focus in its field, its label in view.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-ipps-summary] a[href^='#']");
    if (!link) return;
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) return;
    event.preventDefault();
    var field = target.closest(".ipps-field, .ipps-form-subject") || target;
    field.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  });

  // An error summary the service rendered (no JavaScript before, or a reload) takes the focus.
  var rendered = document.querySelector("[data-ipps-summary]");
  if (rendered) rendered.focus();

  function setUp(form) {
    var kind = form.getAttribute("data-ipps-form");
    var prefix = form.getAttribute("data-ipps-prefix") || "";
    var level = Number(form.getAttribute("data-ipps-level")) || 2;
    var block = form.closest("[data-ipps-form-block]") || form.parentNode;
    var button = form.querySelector("[data-ipps-submit]");
    var buttonText = button ? button.textContent : "";
    var sending = false;

    prefill(form, kind);

    function clearMessages() {
      block.querySelectorAll("[data-ipps-summary], [data-ipps-problem]").forEach(function (node) {
        node.remove();
      });
      form.querySelectorAll(".ipps-error-message").forEach(function (node) {
        var id = node.id;
        form.querySelectorAll("[aria-describedby]").forEach(function (described) {
          describedBy(described, id, false);
        });
        node.remove();
      });
      form.querySelectorAll(".ipps-field--error").forEach(function (node) {
        node.classList.remove("ipps-field--error");
      });
      form.querySelectorAll("[aria-invalid]").forEach(function (node) {
        node.removeAttribute("aria-invalid");
      });
    }

    function box(title, attr) {
      var summary = make("div", { "class": "ipps-error-summary", role: "alert", tabindex: "-1" });
      summary.setAttribute(attr, "");
      summary.appendChild(make(attr === "data-ipps-summary" ? "h" + level : "p",
        { "class": "ipps-error-summary__title" }, title));
      return summary;
    }

    function showBox(summary) {
      block.insertBefore(summary, block.firstChild);
      summary.scrollIntoView({ block: "start" });
      summary.focus({ preventScroll: true });
    }

    function showProblem(message) {
      clearMessages();
      showBox(box(message, "data-ipps-problem"));
    }

    function fieldMessage(name, message) {
      var container = form.querySelector('[data-ipps-field="' + CSS.escape(name) + '"]');
      if (!container) return null;
      var id = prefix + name + "-error";
      var note = make("p", { "class": "ipps-error-message", id: id });
      note.appendChild(make("span", { "class": "md-visually-hidden" }, "错误："));
      note.appendChild(document.createTextNode(message));
      var group = container.querySelector("fieldset");
      var within = group || container;
      var after = within.querySelector(":scope > .ipps-hint") || within.querySelector(":scope > label, :scope > legend");
      if (after) after.after(note);
      else within.insertBefore(note, within.firstChild);
      container.classList.add("ipps-field--error");
      var inputs = container.querySelectorAll("input, select, textarea");
      inputs.forEach(function (input) {
        if (input.type === "hidden") return;
        input.setAttribute("aria-invalid", "true");
        if (!group) describedBy(input, id, true);
      });
      if (group) describedBy(group, id, true);
      return container;
    }

    function showErrors(message, fields) {
      clearMessages();
      var summary = box(message, "data-ipps-summary");
      var list = make("ul", { "class": "ipps-error-summary__list" });
      Object.keys(fields).forEach(function (name) {
        fieldMessage(name, fields[name]);
        var item = make("li");
        var target = document.getElementById(prefix + name);
        if (target && form.contains(target)) {
          item.appendChild(make("a", { href: "#" + prefix + name }, fields[name]));
        } else {
          item.textContent = fields[name];
        }
        list.appendChild(item);
      });
      summary.appendChild(list);
      showBox(summary);
    }

    function showReceipt(receipt) {
      var template = block.querySelector("template[data-ipps-receipt]");
      var content = template.content.cloneNode(true);
      content.querySelectorAll("[data-ipps-slot]").forEach(function (slot) {
        var value = receipt[slot.getAttribute("data-ipps-slot")];
        slot.textContent = slot.hasAttribute("data-ipps-date") ? cnDate(value) : value == null ? "" : String(value);
      });
      content.querySelectorAll("[data-ipps-if]").forEach(function (node) {
        if (!receipt[node.getAttribute("data-ipps-if")]) node.remove();
      });
      content.querySelectorAll("[data-ipps-qr]").forEach(function (image) {
        if (!receipt.verify_code) return image.remove();
        image.setAttribute("src", image.getAttribute("data-ipps-qr") + "?receipt_no=" + encodeURIComponent(receipt.receipt_no) +
          "&code=" + encodeURIComponent(receipt.verify_code));
      });
      content.querySelectorAll("[data-ipps-lookup-link]").forEach(function (link) {
        var base = link.getAttribute("href").split("?")[0];
        link.setAttribute("href", base + "?receipt_no=" + encodeURIComponent(receipt.receipt_no || ""));
      });
      content.querySelectorAll("[data-ipps-print]").forEach(function (print) {
        print.addEventListener("click", function (event) {
          event.preventDefault();
          var root = document.documentElement;
          root.classList.add("ipps-print-receipt");
          window.addEventListener("afterprint", function () { root.classList.remove("ipps-print-receipt"); }, { once: true });
          window.print();
        });
      });
      block.replaceChildren(content);
      var title = block.querySelector("[data-ipps-receipt-title]");
      (block.querySelector("[data-ipps-receipt-box]") || block).scrollIntoView({ block: "start" });
      if (title) title.focus({ preventScroll: true });
    }

    function showLookup(view) {
      clearMessages();
      var result = block.querySelector("[data-ipps-lookup-result]");
      result.replaceChildren(lookupView(form, view, level));
      var title = result.querySelector("[tabindex]");
      result.scrollIntoView({ block: "start" });
      if (title) title.focus({ preventScroll: true });
    }

    function answer(status, body) {
      var error = body && body.error;
      if (kind === "lookup" && status === 200 && body) return showLookup(body);
      if (status === 201 && body) return showReceipt(body);
      if (status === 422 && error && error.fields && Object.keys(error.fields).length) {
        return showErrors(error.message, error.fields);
      }
      if (kind === "lookup") {
        var result = block.querySelector("[data-ipps-lookup-result]");
        if (result) result.replaceChildren();
      }
      showProblem(error && error.message ? error.message : UNEXPECTED);
    }

    function busy(on) {
      sending = on;
      form.setAttribute("aria-busy", on ? "true" : "false");
      if (!button) return;
      button.disabled = on;
      button.textContent = on ? (kind === "lookup" ? "正在查询……" : "正在提交……") : buttonText;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (sending) return;
      var data = new FormData(form);
      var url = form.action;
      var options = { method: "POST", headers: { Accept: "application/json" }, credentials: "same-origin" };
      if ((form.getAttribute("method") || "get").toLowerCase() === "get") {
        options.method = "GET";
        url += (url.indexOf("?") === -1 ? "?" : "&") + new URLSearchParams(data).toString();
      } else if (form.enctype === "multipart/form-data") {
        options.body = data;
      } else {
        options.body = new URLSearchParams(data);
      }
      busy(true);
      fetch(url, options)
        .then(function (response) {
          return response.json().catch(function () { return null; }).then(function (body) {
            busy(false);
            answer(response.status, body);
          });
        })
        .catch(function () {
          busy(false);
          showProblem(NETWORK);
        });
    });
  }

  function prefill(form, kind) {
    var number = params.get("receipt_no");
    var receiptField = form.elements.namedItem("receipt_no");
    if ((kind === "lookup" || kind === "rating") && number && receiptField && !receiptField.value) {
      receiptField.value = number;
    }
    var code = params.get("item_code");
    var subject = form.querySelector("[data-ipps-item-subject]");
    if (kind === "rating" && code && !number && subject) {
      var input = subject.querySelector("input[name='item_code']");
      input.value = code;
      input.disabled = false;
      subject.querySelector("[data-ipps-item-name]").textContent = params.get("item") || code;
      subject.hidden = false;
      var receiptFields = form.querySelector("[data-ipps-receipt-fields]");
      if (receiptFields) receiptFields.hidden = true;
    }
  }

  // The progress of a submission (lookup-result.html says the same for the service's page).
  function lookupView(form, view, level) {
    var code = form.elements.namedItem("code");
    function withCode(url) { return url + "?code=" + encodeURIComponent(code ? code.value : ""); }
    var itemUrl = form.getAttribute("data-ipps-item-url") || "";
    var h = "h" + level;
    var sub = "h" + (level + 1);
    var wrap = make("div", { "class": "ipps-lookup-view" });
    wrap.appendChild(make(h, { tabindex: "-1" }, "办件进度"));
    var facts = make("dl", { "class": "ipps-receipt__facts" });
    function fact(term, value, link) {
      if (!value) return;
      var row = make("div");
      row.appendChild(make("dt", null, term));
      var dd = make("dd");
      if (link) dd.appendChild(make("a", { href: link }, value));
      else dd.textContent = value;
      row.appendChild(dd);
      facts.appendChild(row);
    }
    fact("办件编号", view.receipt_no);
    fact("类型", view.kind + (view.subject ? "：" + view.subject : ""));
    if (view.item) fact("事项", view.item.name, itemUrl.replace("ITEM", encodeURIComponent(view.item.slug)));
    fact("当前状态", view.status);
    fact("提交时间", cnTime(view.submitted_at));
    if (view.due_date) fact("承诺办结日期", cnDate(view.due_date) + "前");
    else if (view.kind === "申请" && !view.accepted) fact("承诺办结日期", "自受理之日起计算，受理后在此显示");
    if (view.reply_due) fact("答复期限", cnDate(view.reply_due) + "前");
    wrap.appendChild(facts);

    function text(entry) {
      if (entry === null || typeof entry !== "object") return String(entry);
      return ["material", "name", "title", "text", "content", "message", "reason", "requirement", "note"]
        .filter(function (key) { return typeof entry[key] === "string" && entry[key]; })
        .map(function (key) { return entry[key]; })
        .join("：");
    }
    if (view.corrections && view.corrections.length) {
      wrap.appendChild(make(sub, null, "需要补正的内容"));
      var notice = make("div", { "class": "ipps-notice" });
      var days = form.getAttribute("data-ipps-correction-days");
      notice.appendChild(make("p", null, "请在收到补正通知后 " + days + " 日内补正以下全部内容："));
      var corrections = make("ol");
      view.corrections.forEach(function (c) { corrections.appendChild(make("li", null, text(c))); });
      notice.appendChild(corrections);
      if (view.correction_url) {
        var fix = make("p");
        fix.appendChild(make("a", { "class": "ipps-button", href: withCode(view.correction_url) }, "提交补正材料"));
        notice.appendChild(fix);
      }
      wrap.appendChild(notice);
    }
    if (view.refusal_reason) {
      wrap.appendChild(make(sub, null, "不予受理的理由"));
      wrap.appendChild(make("p", null, view.refusal_reason));
    }
    if (view.result) {
      wrap.appendChild(make(sub, null, "办理结果"));
      var result = make("div", { "class": "ipps-reply" });
      result.appendChild(make("p", null, view.result.text));
      if (view.result.document) result.appendChild(make("p", { "class": "ipps-muted" }, "结果文书：" + view.result.document));
      if (view.result.verify_code) {
        var check = make("p", { "class": "ipps-muted" }, "结果文书核验码：");
        check.appendChild(make("strong", { "data-ipps-result-code": "" }, view.result.verify_code));
        check.appendChild(document.createTextNode("（可在"));
        check.appendChild(make("a", { href: form.getAttribute("data-ipps-verify") }, "文书核验"));
        check.appendChild(document.createTextNode("页面核实结果文书是否由本平台出具）"));
        result.appendChild(check);
      }
      if (view.result.file) {
        var download = make("p");
        var url = withCode("/api/lookup/" + encodeURIComponent(view.receipt_no) + "/result-file");
        download.appendChild(make("a", { href: url, download: "" }, "下载结果文书（" + view.result.file.name + "）"));
        result.appendChild(download);
      }
      wrap.appendChild(result);
    }
    if (view.reply) {
      wrap.appendChild(make(sub, null, "答复"));
      if (view.reply.at) wrap.appendChild(make("p", { "class": "ipps-muted" }, "答复时间：" + cnTime(view.reply.at)));
      wrap.appendChild(make("p", null, text(view.reply)));
    }
    if (view.materials && view.materials.length) {
      wrap.appendChild(make(sub, null, "已收到的材料"));
      var materials = make("ul");
      view.materials.forEach(function (m) {
        var kb = Math.ceil(m.size / 1024);
        var size = kb < 1024 ? kb + " KB" : (m.size / 1048576).toFixed(1) + " MB";
        materials.appendChild(make("li", null, m.name + "（" + size + "）"));
      });
      wrap.appendChild(materials);
    }
    wrap.appendChild(make(sub, null, "办理进度"));
    var timeline = make("ol", { "class": "ipps-timeline" });
    (view.timeline || []).forEach(function (step) {
      var li = make("li");
      li.appendChild(make("strong", null, step.state));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(make("span", { "class": "ipps-muted" }, cnTime(step.at)));
      if (step.note) {
        li.appendChild(make("br"));
        li.appendChild(document.createTextNode(step.note));
      }
      timeline.appendChild(li);
    });
    wrap.appendChild(timeline);
    if (view.may_rate) {
      wrap.appendChild(make(sub, null, "评价这次服务"));
      var invite = make("p", null, "欢迎对这次服务进行评价：");
      var rate = form.getAttribute("data-ipps-rate") + "?receipt_no=" + encodeURIComponent(view.receipt_no);
      invite.appendChild(make("a", { href: rate }, "评价办件 " + view.receipt_no));
      invite.appendChild(document.createTextNode("。评价时请再填写一次回执上的查询码。"));
      wrap.appendChild(invite);
    } else if (view.rated) {
      wrap.appendChild(make("p", { "class": "ipps-muted" }, "这次服务已经评价过了，感谢您的评价。"));
    }
    return wrap;
  }

  document.querySelectorAll("form[data-ipps-form]").forEach(setUp);
})();
