/* Small enhancements; every page works without them. */
(function () {
  "use strict";
  document.documentElement.classList.replace("no-js", "js");

  // "Print" buttons: plain links to the page without JavaScript.
  document.querySelectorAll("[data-ipps-print]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      window.print();
    });
  });

  // 关怀模式: without JavaScript the switch is a link to /api/mode, which sets the cookie and
  // comes back; with it, the cookie is set here and the stylesheet swapped in place.
  var modeSheet = document.querySelector("link[data-ipps-mode]");
  document.querySelectorAll("[data-ipps-mode-switch]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!modeSheet) return;
      event.preventDefault();
      var care = link.getAttribute("data-ipps-mode-switch") === "care";
      var secure = location.protocol === "https:" ? "; secure" : "";
      document.cookie = care
        ? "ipps_mode=care; path=/; max-age=31536000; samesite=lax" + secure
        : "ipps_mode=; path=/; max-age=0; samesite=lax" + secure;
      var standard = modeSheet.href.split("?")[0].replace(/care\.css$/, "mode.css");
      modeSheet.href = care ? modeSheet.getAttribute("data-care") : standard + "?standard";
      modeSheet.addEventListener("load", function () {
        var other = document.querySelector('[data-ipps-mode-switch="' + (care ? "standard" : "care") + '"]');
        if (other) other.focus();
      }, { once: true });
    });
  });

  // 智能导办: each answer is a link to the next page; with JavaScript that page's guide part
  // is loaded in place (the address follows, Back works) and focus moves to its question.
  var guide = document.querySelector("[data-ipps-guide]");
  if (guide && window.fetch && window.DOMParser && history.pushState) {
    var showGuide = function (url, push) {
      return fetch(url).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      }).then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var next = page.querySelector("[data-ipps-guide]");
        if (!next) throw new Error("no guide part");
        guide.innerHTML = next.innerHTML;
        document.title = page.title;
        if (push) history.pushState({ guide: true }, "", url);
        var heading = guide.querySelector("[data-ipps-guide-focus]");
        if (heading) heading.focus();
      });
    };
    guide.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-ipps-guide-link]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      showGuide(link.href, true).catch(function () { location.href = link.href; });
    });
    window.addEventListener("popstate", function () {
      showGuide(location.href, false).catch(function () { location.reload(); });
    });
  }

  // List filters (事项清单, 实施清单). Without JavaScript the form stays hidden and the page
  // shows one page of the list plus links to the classification pages. With it, the first
  // change of a filter loads data/list-index.json (the whole list) and shows every match.
  document.querySelectorAll("[data-ipps-filters]").forEach(function (form) {
    var table = document.querySelector("[data-ipps-list]");
    var body = table.tBodies[0];
    var pager = document.querySelector("[data-ipps-pager]");
    var count = form.querySelector("[data-ipps-count]");
    var annex = form.getAttribute("data-annex");
    var indexUrl = new URL(form.getAttribute("data-index"), document.baseURI);
    var original = body.innerHTML;
    var index = null;
    form.hidden = false;

    function chosen() {
      var filters = {};
      form.querySelectorAll("select").forEach(function (select) {
        if (select.value) filters[select.name] = select.value;
      });
      return filters;
    }

    function matches(item, filters) {
      return Object.keys(filters).every(function (key) {
        return (" " + item.facets[key] + " ").indexOf(" " + filters[key] + " ") !== -1;
      });
    }

    function cell(text) {
      var td = document.createElement("td");
      td.textContent = text;
      return td;
    }

    function show(filters) {
      var keys = index[annex === "a" ? "annex_a" : "annex_b"];
      var items = index.items.filter(function (item) { return matches(item, filters); });
      var rows = document.createDocumentFragment();
      items.forEach(function (item, position) {
        var tr = document.createElement("tr");
        keys.forEach(function (key, column) {
          var value = item[annex][column];
          if (key === "name") {
            var td = document.createElement("td");
            var link = document.createElement("a");
            link.href = new URL(item.url, indexUrl.href.replace(/data\/list-index\.json$/, "")).href;
            link.textContent = value;
            td.appendChild(link);
            tr.appendChild(td);
          } else if (key === "number") {
            var number = cell(String(position + 1));
            number.className = "ipps-num";
            tr.appendChild(number);
          } else {
            tr.appendChild(cell(value));
          }
        });
        rows.appendChild(tr);
      });
      body.replaceChildren(rows);
      pager.hidden = true;
      count.textContent = "符合条件的事项：" + items.length + " 项";
    }

    form.addEventListener("change", function () {
      var filters = chosen();
      if (!Object.keys(filters).length) {
        body.innerHTML = original;
        pager.hidden = false;
        count.textContent = "";
        return;
      }
      if (index) return show(filters);
      count.textContent = "正在加载……";
      fetch(indexUrl).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      }).then(function (data) {
        index = data;
        show(chosen());
      }).catch(function () {
        count.textContent = "筛选暂不可用，请使用下方的分类链接。";
      });
    });
  });
})();
