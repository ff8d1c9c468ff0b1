// Print: the PDF in a frame of the same page, then the frame's print(); from file:// a frame
// cannot be scripted, so the PDF opens in a tab to print from there.
(function () {
  var printer = document.getElementById('printer');
  var loaded = null;
  function printFrame(pdf) {
    try { printer.contentWindow.focus(); printer.contentWindow.print(); }
    catch (e) { window.open(pdf, '_blank'); }
  }
  function printPdf(pdf) {
    if (loaded === pdf) { printFrame(pdf); return; }
    printer.onload = function () { loaded = pdf; printFrame(pdf); };
    printer.src = pdf;
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('.print');
    if (!button) { return; }
    var card = button.closest('.card'), pdf = button.dataset.pdf;
    if (location.protocol.indexOf('http') === 0 && card && card.dataset.sha) {
      pdf += '?v=' + card.dataset.sha;  // served: the PDF of this very build
    }
    printPdf(pdf);
  });
  window.ketabrochurePrint = printPdf;
  if (location.protocol === 'file:') {  // say so: Print cannot open the dialog from here
    var note = document.getElementById('from-file');
    if (note) { note.hidden = false; }
  }
})();
