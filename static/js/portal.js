// Small progressive enhancements; every page works without them.
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  var text = status === 403 || status === 404
    ? "Нет доступа к этим данным или они не найдены."
    : "Ошибка сервера (" + status + "). Попробуйте ещё раз.";
  window.alert(text);
});
// Confirm destructive actions: <button data-confirm="Удалить пункт?">.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (message && !window.confirm(message)) { event.preventDefault(); }
}, true);
// Behaviour that templates once wrote inline (the Content-Security-Policy forbids inline
// script): <select data-autosubmit> submits its form on change; an element with
// data-enter-clicks is clicked by Enter; a link with data-cancel-slot="id" puts back the
// empty hidden row it replaced instead of following its href.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
});
document.addEventListener("keyup", function (event) {
  var el = event.target;
  if (event.key === "Enter" && el.matches && el.matches("[data-enter-clicks]")) { el.click(); }
});
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("[data-cancel-slot]");
  if (!link) { return; }
  event.preventDefault();
  var row = document.createElement("tr");
  row.id = link.dataset.cancelSlot;
  row.className = "d-none";
  link.closest("tr").replaceWith(row);
});
