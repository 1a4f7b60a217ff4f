// Sorting and filtering of the catalog table: plain DOM, no fetch(), so it runs from file://.
(function () {
  "use strict";
  var table = document.getElementById("catalog");
  var body = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var rows = Array.prototype.slice.call(body.rows);
  var text = document.getElementById("filter-text");
  var category = document.getElementById("filter-category");
  var status = document.getElementById("filter-status");

  function key(row, column) {
    return row.cells[column].getAttribute("data-sort");
  }

  // Empty values (unrated, size unknown) always sort last, whatever the direction.
  function compare(column, numeric, direction) {
    return function (a, b) {
      var x = key(a, column), y = key(b, column);
      if (x === "" || y === "") { return (x === "") - (y === ""); }
      var order = numeric ? Number(x) - Number(y) : x.localeCompare(y, undefined, {sensitivity: "base"});
      if (order === 0) { order = key(a, 0).localeCompare(key(b, 0)); return order; }
      return direction === "ascending" ? order : -order;
    };
  }

  function sortBy(column) {
    var th = headers[column];
    var numeric = th.getAttribute("data-type") === "number";
    var current = th.getAttribute("aria-sort");
    var direction = current === "ascending" ? "descending" : current === "descending" ? "ascending"
      : numeric ? "descending" : "ascending";
    headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", direction);
    rows.sort(compare(column, numeric, direction));
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function filter() {
    var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    var wanted = category.value;
    var shown = 0;
    rows.forEach(function (row) {
      var haystack = row.textContent.toLowerCase();
      var match = (!wanted || row.getAttribute("data-category") === wanted) &&
        words.every(function (w) { return haystack.indexOf(w) !== -1; });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    status.textContent = shown + " of " + rows.length + " datasets shown";
  }

  headers.forEach(function (th, column) {
    th.querySelector("button").addEventListener("click", function () { sortBy(column); });
  });
  text.addEventListener("input", filter);
  category.addEventListener("change", filter);
  filter();
}());
