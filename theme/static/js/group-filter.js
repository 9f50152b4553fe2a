/* Instant filter for the list of all groups (gruppen/a-z/).
 *
 * Without JavaScript the filter form stays hidden: the index pages by topic, place and form
 * do the filtering then. With it, the form appears; every change filters the list at once,
 * and a live region tells screen reader users how many groups match ("12 Gruppen gefunden").
 * Loaded with `defer` from our own host, so it works under the site's CSP (no inline code).
 */
(function () {
  "use strict";

  var form = document.querySelector("form.group-filter");
  if (!form || !document.querySelectorAll) {
    return;
  }
  var status = document.getElementById("filter-status");
  var none = document.querySelector(".group-filter-none");
  // Shown when a typed word finds no card: the search knows related words ("Trinken").
  var searchHint = document.querySelector(".group-filter-search");
  var searchLink = searchHint && searchHint.querySelector("a");
  var searchPage = searchLink && searchLink.getAttribute("href");
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.group-letter"));
  var letterLinks = Array.prototype.slice.call(document.querySelectorAll(".letter-nav li[data-letter]"));
  var fields = {
    text: form.elements.suche,
    topic: form.elements.thema,
    place: form.elements.ort,
    form: form.elements.form
  };
  var timer = null;

  function normalise(text) {
    var folded = String(text).toLowerCase().replace(/ß/g, "ss");
    if (folded.normalize) {
      folded = folded.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    }
    return folded.replace(/\s+/g, " ");
  }

  var items = [];
  sections.forEach(function (section) {
    var cards = section.querySelectorAll("li.group-card");
    Array.prototype.forEach.call(cards, function (card) {
      items.push({
        element: card,
        section: section.getAttribute("data-letter"),
        topics: " " + (card.getAttribute("data-topics") || "") + " ",
        place: card.getAttribute("data-place") || "",
        form: card.getAttribute("data-form") || "",
        text: normalise(card.textContent)
      });
    });
  });

  function message(count, pointsToSearch) {
    if (count === 0) {
      return "Keine Gruppe in dieser Liste passt zu Ihrer Auswahl." +
        (pointsToSearch ? " Unter dem Filter steht ein Link zur Suche, die auch verwandte Wörter kennt." : "");
    }
    return count === 1 ? "1 Gruppe gefunden." : count + " Gruppen gefunden.";
  }

  function announce(text) {
    window.clearTimeout(timer);
    // A short pause, so that typing does not make screen readers read every interim count.
    timer = window.setTimeout(function () {
      status.textContent = text;
    }, 400);
  }

  function rememberInAddress(values) {
    if (!window.history || !window.history.replaceState || !window.URLSearchParams) {
      return;
    }
    var params = new URLSearchParams();
    if (values.text) { params.set("suche", fields.text.value); }
    if (values.topic) { params.set("thema", values.topic); }
    if (values.place) { params.set("ort", values.place); }
    if (values.form) { params.set("form", values.form); }
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
  }

  function apply(speak) {
    var values = {
      text: normalise(fields.text.value).trim(),
      topic: fields.topic.value,
      place: fields.place.value,
      form: fields.form.value
    };
    var words = values.text ? values.text.split(" ") : [];
    var visible = {};
    var count = 0;
    var withWords = 0;  // cards with the typed words, whatever the lists chose
    items.forEach(function (item) {
      var hasWords = words.every(function (word) { return item.text.indexOf(word) !== -1; });
      var show = hasWords &&
        (!values.topic || item.topics.indexOf(" " + values.topic + " ") !== -1) &&
        (!values.place || item.place === values.place) &&
        (!values.form || item.form === values.form);
      if (hasWords) {
        withWords += 1;
      }
      item.element.hidden = !show;
      if (show) {
        count += 1;
        visible[item.section] = true;
      }
    });
    sections.forEach(function (section) {
      section.hidden = !visible[section.getAttribute("data-letter")];
    });
    letterLinks.forEach(function (link) {
      link.hidden = !visible[link.getAttribute("data-letter")];
    });
    if (none) {
      none.hidden = count !== 0;
    }
    // Only when the typed word is on no card at all: if a list chose the rest away, the
    // search would not help.
    var typed = fields.text.value.trim();
    var pointsToSearch = Boolean(searchLink && typed) && withWords === 0;
    if (searchLink) {
      searchHint.hidden = !pointsToSearch;
      searchLink.setAttribute("href", pointsToSearch ? searchPage + "?q=" + encodeURIComponent(typed) : searchPage);
    }
    if (speak) {
      announce(message(count, pointsToSearch));
    }
    rememberInAddress(values);
  }

  function restoreFromAddress() {
    if (!window.URLSearchParams) {
      return false;
    }
    var params = new URLSearchParams(window.location.search);
    var restored = false;
    [["suche", fields.text], ["thema", fields.topic], ["ort", fields.place], ["form", fields.form]]
      .forEach(function (pair) {
        var value = params.get(pair[0]);
        if (!value) {
          return;
        }
        if (pair[1].tagName === "SELECT" &&
            !Array.prototype.some.call(pair[1].options, function (o) { return o.value === value; })) {
          return;
        }
        pair[1].value = value;
        restored = true;
      });
    return restored;
  }

  form.addEventListener("input", function () { apply(true); });
  form.addEventListener("change", function () { apply(true); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    apply(true);
  });
  form.addEventListener("reset", function () {
    // The fields are reset after this event; filter once they are.
    window.setTimeout(function () { apply(true); }, 0);
  });

  form.hidden = false;
  apply(restoreFromAddress());
}());
