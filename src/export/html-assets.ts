/**
 * The stylesheet and the search script of the HTML export, inlined into every page so the site
 * opens from disk with no network and no other files.
 */
export const HTML_STYLE = `
:root { color-scheme: light dark; --bg: #f4f5f7; --fg: #1d1f23; --muted: #6b7079; --card: #fff;
  --sent: #d8f0dc; --recv: #fff; --accent: #2c6fbb; --line: #dde0e5; --warn: #a8461b; }
@media (prefers-color-scheme: dark) { :root { --bg: #15171a; --fg: #e6e8eb; --muted: #9aa0a8;
  --card: #1f2226; --sent: #1f3a26; --recv: #25292e; --accent: #7fb0ea; --line: #30343a; --warn: #f0a070; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
header.top { position: sticky; top: 0; z-index: 1; background: var(--card); border-bottom: 1px solid var(--line);
  padding: .6rem 1rem; display: flex; gap: .8rem; align-items: center; flex-wrap: wrap; }
header.top h1 { font-size: 1.15rem; margin: 0; flex: 1 1 12rem; overflow-wrap: anywhere; }
header.top a { color: var(--accent); text-decoration: none; }
main { max-width: 52rem; margin: 0 auto; padding: .8rem; }
a { color: var(--accent); }
.muted { color: var(--muted); font-size: .85rem; }
form.search { display: flex; gap: .4rem; flex: 1 1 16rem; }
form.search input { flex: 1; min-width: 0; font: inherit; padding: .35rem .6rem; border-radius: .5rem;
  border: 1px solid var(--line); background: var(--bg); color: var(--fg); }
form.search button { font: inherit; padding: .35rem .8rem; border-radius: .5rem; border: 1px solid var(--line);
  background: var(--accent); color: #fff; }
ul.conversations { list-style: none; margin: 0; padding: 0; }
ul.conversations li { background: var(--card); border: 1px solid var(--line); border-radius: .7rem;
  margin: .5rem 0; }
ul.conversations a.conversation { display: block; padding: .7rem .9rem; color: inherit; text-decoration: none; }
.conversation .title { font-weight: 600; overflow-wrap: anywhere; }
.conversation .row { display: flex; justify-content: space-between; gap: .6rem; }
.conversation .last { color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  unicode-bidi: plaintext; }
.badge { display: inline-block; font-size: .72rem; padding: 0 .45rem; border-radius: 1rem;
  border: 1px solid var(--line); color: var(--muted); vertical-align: middle; font-weight: normal; }
h2.day { text-align: center; font-size: .85rem; color: var(--muted); font-weight: 600; margin: 1.2rem 0 .4rem; }
.msg { display: flex; margin: .25rem 0; }
.msg .bubble { max-width: min(85%, 38rem); padding: .4rem .7rem .35rem; border-radius: .8rem;
  background: var(--recv); border: 1px solid var(--line); overflow-wrap: anywhere; }
.msg.sent { justify-content: flex-end; }
.msg.sent .bubble { background: var(--sent); }
.msg.status { justify-content: center; }
.msg.status .bubble { background: transparent; border: none; color: var(--muted); font-style: italic; }
.msg .nick { font-weight: 600; font-size: .85rem; color: var(--accent); unicode-bidi: isolate; }
.msg .body { white-space: pre-wrap; unicode-bidi: plaintext; }
.msg .meta { font-size: .72rem; color: var(--muted); text-align: end; }
.msg .flag { font-style: italic; }
.msg .undecryptable, .msg .deleted summary { font-style: italic; color: var(--warn); }
.msg details.deleted summary { cursor: pointer; }
.msg .file img { display: block; max-width: 100%; max-height: 18rem; border-radius: .5rem; margin: .2rem 0; }
.msg:target .bubble { outline: 2px solid var(--accent); }
nav.pages { display: flex; justify-content: space-between; gap: 1rem; margin: .8rem 0; flex-wrap: wrap; }
ol.results { list-style: none; padding: 0; }
ol.results li { background: var(--card); border: 1px solid var(--line); border-radius: .7rem; margin: .5rem 0;
  padding: .5rem .8rem; }
ol.results .text { white-space: pre-wrap; unicode-bidi: plaintext; overflow-wrap: anywhere; }
mark { background: #ffe27a; color: #000; }
@media (max-width: 30rem) { body { font-size: 15px; } main { padding: .4rem; }
  .msg .bubble { max-width: 92%; } }
.icon { vertical-align: -2px; }
`;

/**
 * The search page's script: loads the per-conversation index files (`search/N-K.js`, each calling
 * `ferrySearch.receive`) one after the other with script tags (file:// pages may not fetch), keeps
 * only the hits, and renders them with text nodes (never HTML).
 */
export const SEARCH_SCRIPT = `
(function () {
  var LIMIT = 500;
  var data = JSON.parse(document.getElementById('search-data').textContent);
  var form = document.getElementById('search-form');
  var input = document.getElementById('q');
  var list = document.getElementById('results');
  var summary = document.getElementById('summary');
  var pending = null;
  var run = 0;
  window.ferrySearch = { receive: function (n, k, rows) { if (pending) pending(n, k, rows); } };
  function load(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = src; s.onload = function () { s.remove(); resolve(); };
      s.onerror = function () { s.remove(); reject(new Error('cannot load ' + src)); };
      document.head.appendChild(s);
    });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag); if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text; return e;
  }
  function highlight(parent, text, needle) {
    var lower = text.toLowerCase(); var i = 0;
    while (true) {
      var j = lower.indexOf(needle, i);
      if (j < 0 || needle === '') { parent.appendChild(document.createTextNode(text.slice(i))); return; }
      parent.appendChild(document.createTextNode(text.slice(i, j)));
      parent.appendChild(el('mark', '', text.slice(j, j + needle.length)));
      i = j + needle.length;
    }
  }
  async function search(query) {
    var mine = ++run;
    var needle = query.trim().toLowerCase();
    list.textContent = '';
    if (!needle) { summary.textContent = ''; return; }
    summary.textContent = 'Searching…';
    var hits = 0;
    for (var c = 0; c < data.conversations.length; c++) {
      var conv = data.conversations[c];
      for (var k = 1; k <= conv.chunks; k++) {
        var rows = null;
        pending = function (n, kk, r) { if (n === conv.n && kk === k) rows = r; };
        try { await load('search/' + conv.n + '-' + k + '.js'); } catch (e) { continue; }
        pending = null;
        if (mine !== run) return;
        if (!rows) continue;
        for (var i = 0; i < rows.length; i++) {
          var row = rows[i];
          var text = row[4];
          if (text.toLowerCase().indexOf(needle) < 0 && row[3].toLowerCase().indexOf(needle) < 0) continue;
          hits++;
          if (hits > LIMIT) continue;
          var li = el('li', 'result');
          var a = el('a', 'where');
          a.href = 'chats/' + conv.n + (row[0] > 1 ? '-' + row[0] : '') + '.html#m-' + encodeURIComponent(row[1]);
          a.textContent = conv.title + ' · ' + row[2];
          li.appendChild(a);
          li.appendChild(el('div', 'muted', row[3]));
          var t = el('div', 'text'); t.dir = 'auto'; highlight(t, text, needle); li.appendChild(t);
          list.appendChild(li);
        }
      }
    }
    summary.textContent = hits === 0 ? 'No message contains “' + query + '”.' :
      hits + (hits === 1 ? ' message' : ' messages') + ' found' + (hits > LIMIT ? ' (first ' + LIMIT + ' shown)' : '') + '.';
  }
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    try { history.replaceState(null, '', '?q=' + encodeURIComponent(input.value)); } catch (e) {}
    search(input.value);
  });
  var initial = new URLSearchParams(location.search).get('q');
  if (initial) { input.value = initial; search(initial); }
})();
`;
