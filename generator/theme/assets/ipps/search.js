/*
  The search page (generator/templates/site/search.html) over Pagefind's JS API.

  The header and home-page forms submit GET search/?q=…: the query is read from the URL,
  put in the box and run. Typing searches again after a pause and keeps ?q= in the address,
  so a result list can be bookmarked or shared. Pagefind's script is loaded from the site's
  own pagefind/ directory only when there is something to search; it then fetches just the
  index chunks for the words of the query and one fragment per result shown. It runs on the
  main thread (noWorker), which saves downloading a second copy of it for a web worker.

  State for tests and benchmarks: the results section carries data-state ("loading", "done",
  "error") and data-query (the query the shown results are for).
*/
(function () {
  "use strict";

  var form = document.querySelector("[data-ipps-search]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var section = document.querySelector("[data-ipps-search-section]");
  var status = document.querySelector("[data-ipps-search-status]");
  var list = document.querySelector("[data-ipps-search-results]");
  var more = document.querySelector("[data-ipps-search-more]");
  var moreWrap = document.querySelector("[data-ipps-search-more-wrap]"); // .ipps-button would override [hidden]
  var failed = document.querySelector("[data-ipps-search-failed]");
  var headerInput = document.getElementById("ipps-header-q");

  var bundle = new URL(form.getAttribute("data-bundle"), document.baseURI).href;
  var baseUrl = new URL(form.getAttribute("data-home"), document.baseURI).pathname;
  var perPage = parseInt(form.getAttribute("data-per-page"), 10) || 10;
  var kinds = JSON.parse(form.getAttribute("data-kinds") || "{}");
  var STATUS = { "暂停": ["暂停受理", "warn"], "取消": ["已取消", "stop"] };

  var pagefindPromise = null;
  var current = 0; // sequence number of the latest search; older answers are dropped
  var results = [];
  var shown = 0;
  var timer = null;

  function loadPagefind() {
    if (!pagefindPromise) {
      pagefindPromise = import(bundle + "pagefind.js").then(function (pagefind) {
        return pagefind
          .options({ basePath: bundle, baseUrl: baseUrl, noWorker: true, excerptLength: 40 })
          .then(function () {
            return pagefind;
          });
      });
    }
    return pagefindPromise;
  }

  // Pagefind stores Chinese text with zero-width spaces between words.
  function clean(text) {
    return (text || "").replace(/\u200b/g, "");
  }

  // The excerpt is HTML with <mark> around matches: keep only its text and the marks.
  function excerptNodes(html) {
    var parsed = new DOMParser().parseFromString("<p>" + clean(html) + "</p>", "text/html");
    var fragment = document.createDocumentFragment();
    parsed.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(document.createTextNode(node.textContent));
      }
    });
    return fragment;
  }

  function kindOf(url) {
    var path = url.indexOf(baseUrl) === 0 ? url.slice(baseUrl.length) : url.replace(/^\//, "");
    for (var prefix in kinds) {
      if (path.indexOf(prefix) === 0) return kinds[prefix];
    }
    return "平台信息";
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function render(data) {
    var item = element("li", "ipps-search-result");
    var heading = element("h3", "ipps-search-result__title");
    var link = element("a", null, clean(data.meta.title) || data.url);
    link.href = data.url;
    heading.appendChild(link);
    var state = STATUS[data.meta.status];
    if (state) {
      heading.appendChild(document.createTextNode(" "));
      heading.appendChild(element("span", "ipps-badge ipps-badge--" + state[1], state[0]));
    }
    item.appendChild(heading);
    item.appendChild(element("p", "ipps-search-result__kind", kindOf(data.url)));
    var excerpt = element("p", "ipps-search-result__excerpt");
    excerpt.appendChild(excerptNodes(data.excerpt));
    item.appendChild(excerpt);

    var parts = (data.sub_results || []).filter(function (sub) {
      return sub.url.indexOf("#") > 0 && clean(sub.title);
    });
    if (parts.length) {
      var where = element("p", "ipps-search-result__parts", "相关部分：");
      parts.slice(0, 4).forEach(function (sub, index) {
        if (index) where.appendChild(document.createTextNode("、"));
        var partLink = element("a", null, clean(sub.title));
        partLink.href = sub.url;
        where.appendChild(partLink);
      });
      item.appendChild(where);
    }
    return item;
  }

  function setState(state, query) {
    section.setAttribute("data-state", state);
    section.setAttribute("data-query", query);
    section.setAttribute("aria-busy", state === "loading" ? "true" : "false");
  }

  function showMore(sequence, query) {
    var batch = results.slice(shown, shown + perPage);
    setState("loading", query);
    return Promise.all(
      batch.map(function (result) {
        return result.data();
      })
    ).then(function (found) {
      if (sequence !== current) return;
      found.forEach(function (data) {
        list.appendChild(render(data));
      });
      shown += found.length;
      var left = results.length - shown;
      moreWrap.hidden = left <= 0;
      more.textContent = "显示更多结果（还有 " + left + " 条）";
      setState("done", query);
    });
  }

  function fail(query) {
    failed.hidden = false;
    section.hidden = true;
    setState("error", query);
  }

  function run(query) {
    var sequence = ++current;
    query = query.trim();
    if (!query) {
      section.hidden = true;
      list.textContent = "";
      setState("done", "");
      return Promise.resolve();
    }
    section.hidden = false;
    failed.hidden = true;
    setState("loading", query);
    status.textContent = "正在搜索……";
    return loadPagefind()
      .then(function (pagefind) {
        return pagefind.search(query);
      })
      .then(function (answer) {
        if (sequence !== current || !answer) return;
        results = answer.results;
        shown = 0;
        list.textContent = "";
        moreWrap.hidden = true;
        if (!results.length) {
          status.textContent = "没有找到与“" + query + "”相关的内容。请换用事项简称或关键词，或通过下方的分类浏览查找。";
          setState("done", query);
          return;
        }
        status.textContent = "与“" + query + "”相关的内容共 " + results.length + " 条。";
        return showMore(sequence, query);
      })
      .catch(function (error) {
        if (sequence !== current) return;
        if (window.console) console.error("搜索失败", error);
        fail(query);
      });
  }

  function remember(query) {
    var url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    if (headerInput) headerInput.value = query;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    remember(input.value.trim());
    run(input.value);
  });

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      remember(input.value.trim());
      run(input.value);
    }, 300);
  });

  // Fetch the script while the visitor is still typing their first query.
  input.addEventListener("focus", function () {
    loadPagefind().catch(function () {});
  });

  more.addEventListener("click", function () {
    showMore(current, input.value.trim()).catch(function () {
      fail(input.value.trim());
    });
  });

  var initial = new URLSearchParams(window.location.search).get("q") || "";
  input.value = initial;
  if (headerInput) headerInput.value = initial;
  run(initial);
})();
