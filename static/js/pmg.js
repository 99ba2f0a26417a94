/* PMG CSEU: small enhancements of the project's own; every page works without them.
 *
 * 1. A form marked data-aviso-cambios asks before the page is left with changes not yet
 *    saved (the browser shows its own question). Sending the form itself never asks. A page
 *    shown again with what was typed (data-aviso-cambios="sin-guardar") holds such changes
 *    from the start.
 * 2. A file chosen in such a form goes only with the button that attaches it
 *    (value "adjuntar"), and a file larger than its data-max-bytes is not sent at all:
 *    the page says so at the field, and nothing typed is lost to a refused request.
 * 3. A page opened at its error summary (#resumen-errores) puts the focus there, so a
 *    screen reader reads it first.
 * 4. The main navigation (details[data-menu], open in the page) folds into its «Menú»
 *    button on a small screen and stays open on a wide one.
 * 5. A table wider than the screen scrolls (in its .table-scroll wrapper, or by itself on
 *    a small screen): while it does, the keyboard can reach it to scroll it, and a wrapper
 *    is a region named by the table's caption. One that fits is no tab stop.
 * 6. A list of packages being built (tbody[data-avance], the evidence packages) asks its
 *    URL every few seconds while one is under way and updates each row's progress; when a
 *    row's state changes it takes the list from the page again, leaving the rest of the
 *    page (the request form, what is chosen in it) as it is, and says so in its status
 *    region. Without it, the page shows the progress as of its loading.
 */
(function () {
  "use strict";

  var changed = false;

  function tooLarge(input) {
    var limit = Number(input.getAttribute("data-max-bytes"));
    return Array.prototype.some.call(input.files || [], function (file) {
      return limit > 0 && file.size > limit;
    });
  }

  function sayAtField(input, message) {
    var note = document.getElementById(input.id + "-aviso-tamano");
    if (!note) {
      note = document.createElement("p");
      note.id = input.id + "-aviso-tamano";
      note.className = "field-error";
      note.setAttribute("role", "alert");
      input.insertAdjacentElement("beforebegin", note);
      input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + note.id).trim());
    }
    note.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }

  document.querySelectorAll("form[data-aviso-cambios]").forEach(function (form) {
    if (form.getAttribute("data-aviso-cambios") === "sin-guardar") {
      changed = true;
    }
    form.addEventListener("input", function () { changed = true; });
    form.addEventListener("change", function () { changed = true; });
    form.addEventListener("submit", function (event) {
      var attaching = event.submitter && event.submitter.value === "adjuntar";
      var files = form.querySelectorAll("input[type=file]");
      for (var i = 0; i < files.length; i += 1) {
        if (attaching && tooLarge(files[i])) {
          event.preventDefault();
          sayAtField(files[i], "El archivo supera el tamaño máximo; elija uno más pequeño.");
          return;
        }
        files[i].disabled = !attaching;
      }
      changed = false;
    });
  });

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("input[type=file]").forEach(function (input) {
      input.disabled = false;  // back from another page: usable again
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (!changed) {
      return;
    }
    event.preventDefault();
    event.returnValue = "";
  });

  var menu = document.querySelector("details[data-menu]");
  if (menu && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 48rem)");
    var fit = function () { menu.open = wide.matches; };
    fit();
    wide.addEventListener("change", fit);
  }

  function keyboardScroll(box) {
    if (box.scrollWidth > box.clientWidth) {
      box.setAttribute("tabindex", "0");
      if (box.tagName !== "TABLE") {
        var caption = box.querySelector("caption");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Tabla desplazable");
      }
    } else {
      ["tabindex", "role", "aria-label"].forEach(function (name) { box.removeAttribute(name); });
    }
  }
  // Only boxes the page left without a tab stop of their own.
  var boxes = Array.prototype.filter.call(
    document.querySelectorAll(".table-scroll, .table:not(.table-scroll > .table)"),
    function (box) { return !box.hasAttribute("tabindex"); }
  );
  var fitBoxes = function () { boxes.forEach(keyboardScroll); };
  fitBoxes();
  window.addEventListener("resize", fitBoxes);

  var packages = document.querySelector("tbody[data-avance]");
  if (packages) {
    followPackages(packages);
  }

  var summary = document.getElementById("resumen-errores");
  if (summary && window.location.hash === "#resumen-errores") {
    summary.focus();
  }

  function followPackages(body) {
    var every = 3000;
    var status = document.getElementById(body.getAttribute("data-avisos"));

    function underWay() {
      return body.querySelector("tr[data-en-curso]") !== null;
    }

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function stop() {
      say("No se pudo actualizar el avance. Recargue la página para verlo.");
    }

    function refreshList(changes) {
      fetch(window.location.pathname, { credentials: "same-origin" })
        .then(function (answer) { return answer.ok ? answer.text() : Promise.reject(answer); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html")
            .querySelector("tbody[data-avance]");
          if (!fresh) {
            return stop();  // not the page any more: signed out, say
          }
          body.innerHTML = fresh.innerHTML;
          say(changes.join(" "));
          schedule();
        }, stop);
    }

    function update(rows) {
      var changes = [];
      rows.forEach(function (row) {
        var shown = body.querySelector('tr[data-paquete="' + row.id + '"]');
        if (!shown) {
          return;
        }
        if (shown.getAttribute("data-estado") !== row.state) {
          changes.push("El paquete n.º " + row.id + " quedó «" + row.state_label + "».");
          return;
        }
        var bar = shown.querySelector("progress");
        if (bar) {
          bar.value = row.percent;
          bar.textContent = row.percent + " %";
        }
        var text = shown.querySelector("[data-campo=avance]");
        if (text) {
          text.textContent = row.progress;
        }
      });
      if (changes.length) {
        refreshList(changes);
      } else {
        schedule();
      }
    }

    function ask() {
      fetch(body.getAttribute("data-avance"), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (answer) {
          var json = (answer.headers.get("Content-Type") || "").indexOf("application/json") === 0;
          return answer.ok && json ? answer.json() : Promise.reject(answer);
        })
        .then(update, stop);
    }

    function schedule() {
      if (underWay()) {
        window.setTimeout(ask, every);
      }
    }

    schedule();
  }
})();
