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
