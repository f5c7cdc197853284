/* 排名表的搜索、筛选与分页:只在本页内显示或隐藏已有的表格行,不发出任何请求。
   在页首同步加载:先给 <html> 加上 js 类(样式表据此在脚本接管前只画出前 100 行),页面解析完再接管表格。 */
(function () {
  "use strict";
  var PAGE = 100;
  document.documentElement.classList.add("js");

  function number(n) {
    return n.toLocaleString("zh-CN");
  }

  function setUp(form) {
    var table = document.getElementById(form.getAttribute("data-table"));
    var none = document.getElementById(form.getAttribute("data-empty"));
    var more = document.getElementById(form.getAttribute("data-more"));
    if (!table || !table.tBodies.length) {
      return;
    }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var columns = form.getAttribute("data-search-columns").split(" ").map(Number);
    var keys = rows.map(function (row) {
      return columns.map(function (i) { return row.cells[i].textContent; }).join(" ").toLowerCase();
    });
    var fields = ["city", "industry", "grade"];
    var limit = PAGE;

    function apply() {
      var terms = form.elements.q.value.toLowerCase().split(/\s+/).filter(Boolean);
      var wanted = fields.map(function (name) { return form.elements[name].value; });
      var matched = 0;
      rows.forEach(function (row, i) {
        var match = terms.every(function (term) { return keys[i].indexOf(term) !== -1; }) &&
          fields.every(function (name, k) { return !wanted[k] || row.getAttribute("data-" + name) === wanted[k]; });
        row.hidden = !match || matched >= limit;
        matched += match ? 1 : 0;
      });
      var shown = Math.min(matched, limit);
      form.elements.count.value = "显示 " + number(shown) + " / " + number(matched) + " 家" +
        (matched < rows.length ? "(共 " + number(rows.length) + " 家)" : "");
      none.hidden = matched > 0;
      more.hidden = matched <= limit;
    }

    function restart() {
      limit = PAGE;
      apply();
    }

    form.addEventListener("input", restart);
    form.addEventListener("change", restart);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () { window.setTimeout(restart, 0); });
    more.addEventListener("click", function () {
      limit += PAGE;
      apply();
    });
    apply();
    table.classList.add("ready");
    form.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-filter]"), setUp);
  });
})();
