/* The search page (suche/): full-text search in the reader's browser with Pagefind.
 *
 * plugins/offline_search builds the index at publish time into pagefind/ on our own host
 * (large sites: in shards, merged here); this module loads pagefind.js from there and uses
 * its JavaScript API (search, filters).
 * No third party, no inline code or styles. Pagefind runs on the main thread (noWorker):
 * then the page's own CSP governs its WebAssembly, and no worker-src is needed.
 *
 * Without JavaScript (or if Pagefind cannot be loaded) the form stays hidden and the page
 * explains the other ways to find things. With it: a labelled search field, filters as
 * labelled selects, a results list and a live region that tells screen reader users how
 * many results there are ("3 Ergebnisse für „Trinken“."). The query and the filters are
 * kept in the address (?q=…&thema=…), so reload, back and the GET form all work.
 *
 * German compound words: Pagefind finds "Alkoholsucht" only as a word of its own. The
 * vocabulary in suche/woerter.json (written with the index) lets this script split a query
 * word like "Alkoholsucht" into "Alkohol Sucht" and search for that as well, the same way
 * the index splits the words of the pages (plugins/offline_search/words.py).
 */

const form = document.getElementById("suche-formular");
const input = document.getElementById("suche-eingabe");
const status = document.getElementById("suche-meldung");
const list = document.getElementById("suche-ergebnisse");
const more = document.getElementById("suche-mehr");
const noScript = document.getElementById("suche-ohne-js");
const selects = form ? Array.from(form.querySelectorAll("select[data-filter]")) : [];

const PAGE_SIZE = 10;
const KIND_LABELS = { Gruppe: "Gruppen", Beitrag: "Beiträge", Seite: "Seiten" };
const collator = new Intl.Collator("de");

let pagefind = null;
let vocabulary = null;
let results = [];
let shown = 0;
let generation = 0;
let timer = null;

function absolute(relative) {
  return new URL(relative, document.baseURI).href;
}

function setStatus(text) {
  status.textContent = text;
}

function failed(error) {
  setStatus("Die Suche konnte nicht geladen werden. Bitte nutzen Sie die Verzeichnisse unten.");
  form.hidden = true;
  noScript.hidden = false;
  if (window.console) {
    console.error("Suche:", error);
  }
}

/* --- Compound words (the same rules as words.py) ------------------------------------ */

function buildVocabulary(data) {
  const forms = new Map();
  const words = data.words.slice().sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  words.forEach((word) => forms.set(word, word));
  words.forEach((word) => {
    const variants = [word];
    data.endings.forEach((ending) => {
      variants.push(word + ending);
      if (word.endsWith(ending) && word.length - ending.length >= data.minStripped) {
        variants.push(word.slice(0, -ending.length));
      }
    });
    variants.forEach((form) => {
      if (!forms.has(form)) {
        forms.set(form, word);
      }
    });
  });
  return { forms, min: data };
}

function splitWord(word) {
  const { forms, min } = vocabulary;
  const size = word.length;
  if (size < min.minCompound || !/^\p{L}+$/u.test(word)) {
    return null;
  }
  const best = new Array(size + 1).fill(null);
  best[0] = [];
  for (let start = 0; start <= size - min.minPart; start += 1) {
    if (!best[start]) {
      continue;
    }
    for (let end = start + min.minPart; end <= size; end += 1) {
      if (start === 0 && end === size) {
        continue;
      }
      const known = forms.get(word.slice(start, end));
      if (known === undefined) {
        continue;
      }
      const candidate = best[start].concat([known]);
      if (!best[end] || candidate.length < best[end].length) {
        best[end] = candidate;
      }
    }
  }
  if (best[size]) {
    return best[size];
  }
  for (let end = size - min.minTail; end >= min.minHead; end -= 1) {
    if (best[end]) {
      return best[end];
    }
  }
  return null;
}

/* "Alkoholsucht Hilfe" -> "alkohol sucht hilfe"; null if no word splits. */
function splitQuery(query) {
  if (!vocabulary) {
    return null;
  }
  let changed = false;
  const words = query.toLowerCase().split(/\s+/).filter(Boolean).map((word) => {
    const parts = splitWord(word);
    if (parts) {
      changed = true;
      return parts.join(" ");
    }
    return word;
  });
  return changed ? words.join(" ") : null;
}

/* --- Filters ------------------------------------------------------------------------ */

function chosenFilters() {
  const filters = {};
  selects.forEach((select) => {
    if (select.value) {
      filters[select.dataset.filter] = select.value;
    }
  });
  return filters;
}

function fillFilters(available) {
  selects.forEach((select) => {
    const values = available[select.dataset.filter] || {};
    const names = Object.keys(values).sort(collator.compare);
    if (!names.length) {
      select.closest(".search-filter").hidden = true;
      return;
    }
    names.forEach((name) => {
      const option = document.createElement("option");
      option.value = name;
      const label = select.dataset.filter === "art" ? (KIND_LABELS[name] || name) : name;
      // Statuses are lower case in sentences ("in Gründung"), capitalised as options.
      option.textContent = `${label.charAt(0).toUpperCase()}${label.slice(1)} (${values[name]})`;
      select.append(option);
    });
  });
}

/* --- Address ------------------------------------------------------------------------ */

function restoreFromAddress() {
  const params = new URLSearchParams(window.location.search);
  const query = params.get("q");
  if (query !== null) {
    input.value = query;
  }
  selects.forEach((select) => {
    const value = params.get(select.name);
    if (value && Array.from(select.options).some((option) => option.value === value)) {
      select.value = value;
    }
  });
}

function rememberInAddress(query) {
  const params = new URLSearchParams();
  if (query) {
    params.set("q", query);
  }
  selects.forEach((select) => {
    if (select.value) {
      params.set(select.name, select.value);
    }
  });
  const search = params.toString();
  window.history.replaceState(null, "", window.location.pathname + (search ? `?${search}` : ""));
}

/* --- Results ------------------------------------------------------------------------ */

function markedWord(text) {
  const mark = document.createElement("mark");
  mark.textContent = text;
  return mark;
}

/* Pagefind's excerpt is HTML with <mark> around the hits. Copy only its text and the
   marks: nothing from the index becomes markup on the page. */
function excerptNodes(excerpt) {
  const parsed = new DOMParser().parseFromString(`<p>${excerpt}</p>`, "text/html");
  const nodes = [];
  parsed.body.firstChild.childNodes.forEach((node) => {
    if (node.nodeName === "MARK") {
      nodes.push(markedWord(node.textContent));
    } else {
      nodes.push(document.createTextNode(node.textContent));
    }
  });
  return nodes;
}

/* The words the index adds to a page (lay words from the synonym list, parts of compound
   words) find the page but are not its words: a reader must not see "Saufen" quoted from a
   group's page. They come last in the indexed text, and meta "stichwoerter" holds the
   first of them (offline_search/indexer.py). Pagefind makes its excerpt from all indexed
   text, so where the excerpt reaches into them it is made here from the page's own text:
   around the first word Pagefind marked, if the page has it, else from its beginning. If
   the marker cannot be found, the result shows no excerpt rather than a wrong one. */
const EXCERPT_WORDS = 24;
const EDGES = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;

function ownText(data) {
  const added = data.meta && data.meta.stichwoerter;
  const content = (data.content || "").trim();
  if (!added) {
    return content;
  }
  const at = content.lastIndexOf(added);
  return at >= 0 ? content.slice(0, at).trim() : "";
}

function withoutTitle(text, data) {
  const title = data.meta && data.meta.title;  // shown just above the excerpt already
  return title && text.startsWith(title) ? text.slice(title.length).replace(/^[\s.]+/, "") : text;
}

function bare(word) {
  return word.replace(EDGES, "").toLowerCase();
}

function excerptFromText(text, marked) {
  const words = text.split(/\s+/).filter(Boolean);
  const wanted = marked.map(bare).filter(Boolean);
  // Pagefind matches the beginnings of words: "Sucht" marks "Suchtberatung".
  const isHit = (word) => wanted.some((hit) => bare(word).startsWith(hit));
  const first = words.findIndex(isHit);
  const start = first < 0 ? 0
    : Math.max(0, Math.min(first - Math.floor(EXCERPT_WORDS / 3), words.length - EXCERPT_WORDS));
  const nodes = [];
  words.slice(start, start + EXCERPT_WORDS).forEach((word, index) => {
    nodes.push(document.createTextNode(index || start ? " " : ""));
    if (first >= 0 && isHit(word)) {
      nodes.push(markedWord(word));
    } else {
      nodes.push(document.createTextNode(word));
    }
  });
  if (start > 0) {
    nodes.unshift(document.createTextNode("…"));
  }
  if (start + EXCERPT_WORDS < words.length) {
    nodes.push(document.createTextNode(" …"));
  }
  return nodes;
}

function excerptOf(data) {
  const nodes = excerptNodes(data.excerpt || "");
  const shown = nodes.map((node) => node.textContent).join("").trim();
  const own = ownText(data);
  if (own.includes(shown)) {
    return nodes;
  }
  const marked = nodes.filter((node) => node.nodeName === "MARK").map((n) => n.textContent);
  return excerptFromText(withoutTitle(own, data), marked);
}

function describe(data) {
  const meta = data.meta || {};
  const parts = [meta.art || ""];
  if (meta.datum) {
    parts.push(meta.datum);
  }
  if (meta.ort) {
    parts.push(meta.ort);
  }
  if (meta.form) {
    parts.push(meta.form);
  }
  if (meta.status && meta.status !== "aktiv") {
    parts.push(meta.status);
  }
  if (meta.themen) {
    parts.push(`Themen: ${meta.themen}`);
  }
  return parts.filter(Boolean).join(" · ");
}

function resultItem(data) {
  const item = document.createElement("li");
  item.className = "search-result";
  const heading = document.createElement("h2");
  heading.className = "search-result-title";
  const link = document.createElement("a");
  link.href = absolute(form.dataset.root) + data.url.replace(/^\//, "");
  link.textContent = (data.meta && data.meta.title) || data.url;
  heading.append(link);
  item.append(heading);
  const facts = describe(data);
  if (facts) {
    const line = document.createElement("p");
    line.className = "search-result-meta";
    line.textContent = facts;
    item.append(line);
  }
  const excerptParts = excerptOf(data);
  if (excerptParts.some((node) => node.textContent.trim())) {
    const excerpt = document.createElement("p");
    excerpt.className = "search-result-excerpt";
    excerpt.append(...excerptParts);
    item.append(excerpt);
  }
  return item;
}

async function showMore(moveFocus) {
  const mine = generation;
  const slice = results.slice(shown, shown + PAGE_SIZE);
  const loaded = await Promise.all(slice.map((result) => result.data()));
  if (mine !== generation) {
    return;
  }
  const items = loaded.map(resultItem);
  list.append(...items);
  shown += slice.length;
  more.hidden = shown >= results.length;
  if (moveFocus && items.length) {
    items[0].querySelector("a").focus();
  }
}

function announce(query, count, filtered) {
  const what = query ? ` für „${query}“` : "";
  const narrowed = filtered ? " (eingegrenzt)" : "";
  if (count === 0) {
    setStatus(`Keine Ergebnisse${what}${narrowed}. Versuchen Sie ein anderes oder ein ` +
      "allgemeineres Wort, oder nutzen Sie die Verzeichnisse unten.");
  } else if (count === 1) {
    setStatus(`1 Ergebnis${what}${narrowed}.`);
  } else {
    setStatus(`${count} Ergebnisse${what}${narrowed}.`);
  }
}

async function run() {
  const mine = ++generation;
  const query = input.value.trim();
  const filters = chosenFilters();
  const filtered = Object.keys(filters).length > 0;
  rememberInAddress(query);
  if (!query && !filtered) {
    results = [];
    shown = 0;
    list.replaceChildren();
    list.hidden = true;
    more.hidden = true;
    setStatus("");
    return;
  }
  const queries = [query || null];
  const split = query ? splitQuery(query) : null;
  if (split && split !== query.toLowerCase()) {
    queries.push(split);
  }
  const answers = await Promise.all(queries.map((q) => pagefind.search(q, { filters })));
  if (mine !== generation) {
    return;
  }
  const seen = new Set();
  results = [];
  answers.forEach((answer) => {
    (answer ? answer.results : []).forEach((result) => {
      if (!seen.has(result.id)) {
        seen.add(result.id);
        results.push(result);
      }
    });
  });
  shown = 0;
  list.replaceChildren();
  list.hidden = results.length === 0;
  more.hidden = true;
  await showMore(false);
  if (mine === generation) {
    announce(query, results.length, filtered);
  }
}

function later() {
  window.clearTimeout(timer);
  // Wait for a pause in typing, so screen readers are not told every interim count.
  timer = window.setTimeout(() => run().catch(failed), 350);
}

async function start() {
  if (!form) {
    return;
  }
  form.hidden = false;
  noScript.hidden = true;
  try {
    pagefind = await import(absolute(form.dataset.pagefind));
    await pagefind.options({ noWorker: true, excerptLength: 24 });
    await pagefind.init();
    // The index comes in shards (plugins/offline_search/shards.py); the others join the
    // primary one and share its WebAssembly.
    const merged = (form.dataset.merge || "").split(" ").filter(Boolean);
    for (const bundle of merged) {
      await pagefind.mergeIndex(absolute(bundle), { excerptLength: 24 });
    }
    if (form.dataset.words) {
      try {
        const answer = await fetch(absolute(form.dataset.words));
        vocabulary = answer.ok ? buildVocabulary(await answer.json()) : null;
      } catch (error) {
        vocabulary = null; // the search works without it, only compounds are not split
      }
    }
    fillFilters(await pagefind.filters());
  } catch (error) {
    failed(error);
    return;
  }
  restoreFromAddress();
  input.addEventListener("input", later);
  selects.forEach((select) => select.addEventListener("change", () => run().catch(failed)));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    window.clearTimeout(timer);
    run().catch(failed);
  });
  more.addEventListener("click", () => showMore(true).catch(failed));
  form.dataset.ready = "true";
  await run();
}

start().catch(failed);
