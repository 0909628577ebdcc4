import { formatBytes } from './byte-size.js';
import { join } from 'node:path';
import { MESSAGE_ENCRYPTION, MESSAGE_TYPE } from '../store/codes.js';
import type { AccountReader, ConversationSummary } from './account-reader.js';
import { FileSink } from './file-sink.js';
import { HTML_STYLE, SEARCH_SCRIPT } from './html-assets.js';
import { escapeHtml, relativeHref, scriptJson } from './html-escape.js';
import { MediaLookup } from './media-lookup.js';
import type { MessageView } from './message-view.js';
import type { ZonedClock } from './zoned-time.js';

/** Messages per conversation page; longer conversations get numbered pages. */
export const HTML_PAGE_SIZE = 1000;
/** Messages per search index file. */
export const SEARCH_CHUNK_SIZE = 5000;

export interface HtmlExportOptions {
  media?: MediaLookup;
  /** Messages per page (default {@link HTML_PAGE_SIZE}). */
  pageSize?: number;
  /** Messages per search index file (default {@link SEARCH_CHUNK_SIZE}). */
  searchChunkSize?: number;
  exportedAt?: number;
  onMessage?: () => void;
  /**
   * The folder the site will finally be in, when it is written elsewhere first (links to files
   * beside the export are made relative to it); default `accountDir`.
   */
  finalDir?: string;
}

/**
 * A static site of one account in `accountDir` (`OUT/ACCOUNT/`): `index.html` (the conversations), `chats/N.html`
 * (`chats/N-P.html` for page P of a long conversation), `search.html` with the per-conversation
 * index files `search/N-K.js`. Every page carries its own CSS; nothing is loaded from the network;
 * every text from the backup is escaped.
 */
export function exportAccountAsHtml(
  reader: AccountReader,
  accountDir: string,
  clock: ZonedClock,
  opts: HtmlExportOptions = {},
): { dir: string; pages: number; messages: number } {
  const chatsDir = join(opts.finalDir ?? accountDir, 'chats');
  const pageSize = opts.pageSize ?? HTML_PAGE_SIZE;
  const chunkSize = opts.searchChunkSize ?? SEARCH_CHUNK_SIZE;
  const media = opts.media ?? new MediaLookup([join(accountDir, '..')]);
  const dayFormat = new Intl.DateTimeFormat('en-GB', {
    timeZone: clock.timeZone,
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });
  let pages = 0;
  let messages = 0;
  const accountName = reader.account.displayName
    ? `${reader.account.displayName} (${reader.account.jid})`
    : reader.account.jid;

  for (const conversation of reader.conversations) {
    const pageCount = pageCountOf(conversation, pageSize);
    let page: FileSink | null = null;
    let search: FileSink | null = null;
    let pageNumber = 0;
    let chunkNumber = 0;
    let inPage = 0;
    let inChunk = 0;
    let day = '';
    const closePage = () => {
      if (!page) return;
      page.write('</div>\n');
      page.write(pageNav(conversation, pageNumber, pageCount));
      page.write('</main>\n</body>\n</html>\n');
      page.close();
      page = null;
    };
    const closeChunk = () => {
      if (!search) return;
      search.write(']);\n');
      search.close();
      search = null;
    };
    try {
      if (conversation.messageCount === 0) {
        pageNumber = 1;
        page = openPage(accountDir, conversation, 1, pageCount, accountName);
        page.write('<p class="muted">No messages.</p>\n');
        pages++;
      }
      for (const message of reader.messages(conversation)) {
        if (!page || inPage >= pageSize) {
          closePage();
          pageNumber++;
          page = openPage(accountDir, conversation, pageNumber, pageCount, accountName);
          pages++;
          inPage = 0;
          day = '';
        }
        if (!search || inChunk >= chunkSize) {
          closeChunk();
          chunkNumber++;
          search = new FileSink(
            join(accountDir, 'search', `${conversation.ordinal}-${chunkNumber}.js`),
          );
          search.write(`ferrySearch.receive(${conversation.ordinal},${chunkNumber},[\n`);
          inChunk = 0;
        }
        const date = clock.date(message.time);
        if (date !== day) {
          day = date;
          page.write(
            `<h2 class="day"><time datetime="${date}">${escapeHtml(dayFormat.format(message.time))}</time></h2>\n`,
          );
        }
        page.write(messageHtml(message, conversation.group, clock, media, chatsDir));
        search.write(
          `${inChunk === 0 ? '' : ',\n'}${scriptJson([
            pageNumber,
            message.id,
            `${date} ${clock.time(message.time)}`,
            message.sender,
            searchText(message),
          ])}`,
        );
        inPage++;
        inChunk++;
        messages++;
        opts.onMessage?.();
      }
      closePage();
      closeChunk();
    } finally {
      (page as FileSink | null)?.abort();
      (search as FileSink | null)?.abort();
    }
  }

  writeIndex(reader, accountDir, accountName, clock, opts.exportedAt ?? Date.now());
  writeSearchPage(reader, accountDir, accountName, chunkSize);
  return { dir: accountDir, pages: pages + 2, messages };
}

function pageCountOf(c: ConversationSummary, pageSize: number): number {
  return Math.max(1, Math.ceil(c.messageCount / pageSize));
}

function pageFileName(c: ConversationSummary, page: number): string {
  return page <= 1 ? `${c.ordinal}.html` : `${c.ordinal}-${page}.html`;
}

function head(title: string): string {
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; ` +
    `img-src 'self' file: data:; script-src 'self' 'unsafe-inline' file:; media-src 'self' file:">\n` +
    `<meta name="referrer" content="no-referrer">\n<title>${escapeHtml(title)}</title>\n` +
    `<style>${HTML_STYLE}</style>\n</head>\n`
  );
}

function searchForm(action: string): string {
  return (
    `<form class="search" action="${action}" method="get" role="search">` +
    '<input type="search" name="q" placeholder="Search all messages" aria-label="Search all messages">' +
    '<button type="submit">Search</button></form>'
  );
}

function openPage(
  accountDir: string,
  c: ConversationSummary,
  page: number,
  pageCount: number,
  accountName: string,
): FileSink {
  const sink = new FileSink(join(accountDir, 'chats', pageFileName(c, page)));
  const title = pageCount > 1 ? `${c.title} (page ${page} of ${pageCount})` : c.title;
  sink.write(head(`${title} — ${accountName}`));
  sink.write(
    `<body class="conversation-page">\n<header class="top"><a href="../index.html">← Chats</a>` +
      `<h1><span class="conversation-title" dir="auto">${escapeHtml(c.title)}</span> ` +
      `<span class="badge">${c.group ? 'group chat' : 'one-to-one'}</span>` +
      (c.jid && c.jid !== c.title ? ` <span class="muted">${escapeHtml(c.jid)}</span>` : '') +
      `</h1>${searchForm('../search.html')}</header>\n<main>\n`,
  );
  sink.write(pageNav(c, page, pageCount));
  sink.write(`<div class="messages" data-page="${page}">\n`);
  return sink;
}

function pageNav(c: ConversationSummary, page: number, pageCount: number): string {
  if (pageCount <= 1) return '';
  const link = (p: number, text: string) => `<a href="${pageFileName(c, p)}">${text}</a>`;
  return (
    '<nav class="pages">' +
    (page > 1 ? `${link(1, '« first')} ${link(page - 1, '‹ older')}` : '<span></span>') +
    `<span class="muted">page ${page} of ${pageCount}</span>` +
    (page < pageCount
      ? `${link(page + 1, 'newer ›')} ${link(pageCount, 'newest »')}`
      : '<span></span>') +
    '</nav>\n'
  );
}

/** Markers drawn as inline SVG: emoji (📎 🔒 📞) show as empty boxes without an emoji font. */
const ICON = {
  file: '<svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M10.5 4.5 5.2 9.8a1.6 1.6 0 0 0 2.3 2.3l5.6-5.6a3 3 0 0 0-4.3-4.3L3.2 7.8a4.4 4.4 0 0 0 6.2 6.2l4.1-4.1" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round"/></svg>',
  lock: '<svg class="icon" viewBox="0 0 16 16" width="12" height="12" role="img" aria-label="encrypted"><title>encrypted</title><path d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2" fill="none" stroke="currentColor" stroke-width="1.6"/><rect x="2.5" y="7" width="11" height="8" rx="1.5" fill="currentColor"/></svg>',
  call: '<svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M3.6 1.5h2.3l1.2 3.2-1.6 1.1a8.6 8.6 0 0 0 4.7 4.7l1.1-1.6 3.2 1.2v2.3a1.6 1.6 0 0 1-1.7 1.6A12.3 12.3 0 0 1 2 3.2a1.6 1.6 0 0 1 1.6-1.7z" fill="currentColor"/></svg>',
};

const IMAGE_NAME = /\.(jpe?g|png|gif|webp|avif|bmp|svg)$/i;

function fileHtml(message: MessageView, media: MediaLookup, pageDir: string): string {
  const file = message.file;
  if (!file) return '';
  const local = media.find(file.path);
  const name = escapeHtml(file.name);
  const details: string[] = [];
  if (file.size !== null) details.push(formatBytes(file.size));
  if (file.width && file.height) details.push(`${file.width}×${file.height}`);
  let html = '<div class="file">';
  if (local) {
    const href = escapeHtml(relativeHref(MediaLookup.segmentsFrom(pageDir, local)));
    if (
      IMAGE_NAME.test(local) &&
      (message.typeCode === MESSAGE_TYPE.image || message.typeCode === MESSAGE_TYPE.privateFile)
    ) {
      html += `<a href="${href}"><img src="${href}" alt="${name}" loading="lazy"></a>`;
    }
    html += `${ICON.file} <a class="file-name local" href="${href}">${name}</a>`;
  } else {
    html += `${ICON.file} <span class="file-name" dir="auto">${name}</span>`;
  }
  if (details.length) html += ` <span class="muted">(${details.join(', ')})</span>`;
  if (!local) html += ' <span class="muted">— file not included</span>';
  if (file.url && /^https?:\/\//i.test(file.url)) {
    html += ` <a class="file-url muted" href="${escapeHtml(file.url)}" rel="noreferrer noopener">download link</a>`;
  }
  return `${html}</div>`;
}

function messageHtml(
  m: MessageView,
  group: boolean,
  clock: ZonedClock,
  media: MediaLookup,
  pageDir: string,
): string {
  const kind = m.typeCode === MESSAGE_TYPE.status ? 'status' : m.direction;
  let content: string;
  if (m.undecryptable) {
    content = `<div class="body undecryptable">${ICON.lock} unable to decrypt</div>`;
  } else if (m.file) {
    content = fileHtml(m, media, pageDir);
  } else if (m.typeCode === MESSAGE_TYPE.call) {
    content = `<div class="body call">${ICON.call} ${escapeHtml(m.text)}</div>`;
  } else {
    // U+2028/U+2029 are line and paragraph breaks to a reader; browsers don't break on them.
    const text = m.text.replace(/[\u2028\u2029]/g, '\n');
    content = `<div class="body" dir="auto">${escapeHtml(text)}</div>`;
  }
  if (m.deleted) {
    content = `<details class="deleted"><summary>message deleted</summary>${content}</details>`;
  }
  const flags: string[] = [];
  if (m.typeCode === MESSAGE_TYPE.private || m.typeCode === MESSAGE_TYPE.privateFile)
    flags.push('<span class="flag">private</span>');
  if (m.edited) flags.push('<span class="flag edited">edited</span>');
  if (m.status === 'send-failed') flags.push('<span class="flag">not sent</span>');
  if (
    m.encryptionCode === MESSAGE_ENCRYPTION.omemo ||
    m.encryptionCode === MESSAGE_ENCRYPTION.decrypted
  )
    flags.push(ICON.lock);
  const nick =
    group && kind === 'received' && m.nick
      ? `<div class="nick" dir="auto">${escapeHtml(m.nick)}</div>`
      : '';
  const time = `<time datetime="${clock.iso(m.time)}">${clock.time(m.time)}</time>`;
  return (
    `<div class="msg ${kind}" id="m-${escapeHtml(m.id)}"><div class="bubble">${nick}${content}` +
    `<div class="meta">${flags.length ? `${flags.join(' · ')} · ` : ''}${time}</div></div></div>\n`
  );
}

/** What the search matches and shows for a message (files by name, undecryptable ones not at all). */
function searchText(m: MessageView): string {
  if (m.undecryptable) return '(unable to decrypt)';
  // eslint-disable-next-line no-control-regex
  const text = m.file ? m.file.name : m.text.replace(/\u0000/g, '');
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

function lastMessageText(c: ConversationSummary): string {
  const m = c.last;
  if (!m) return 'No messages';
  let text = m.undecryptable ? 'unable to decrypt' : m.file ? `File: ${m.file.name}` : m.text;
  if (m.deleted) text = 'message deleted';
  text = text.replace(/\s+/g, ' ').trim();
  if (text.length > 120) text = `${text.slice(0, 120)}…`;
  const who = m.direction === 'sent' ? 'You' : c.group ? m.sender : '';
  return who ? `${who}: ${text}` : text;
}

function writeIndex(
  reader: AccountReader,
  accountDir: string,
  accountName: string,
  clock: ZonedClock,
  exportedAt: number,
): void {
  const sink = new FileSink(join(accountDir, 'index.html'));
  try {
    sink.write(head(`Chats — ${accountName}`));
    sink.write(
      `<body class="index-page">\n<header class="top"><h1>Chats of ${escapeHtml(accountName)}</h1>` +
        `${searchForm('search.html')}</header>\n<main>\n`,
    );
    const total = reader.conversations.reduce((n, c) => n + c.messageCount, 0);
    sink.write(
      `<p class="muted">${reader.conversations.length} conversations, ${total} messages. ` +
        `Exported ${escapeHtml(clock.iso(exportedAt).slice(0, 16).replace('T', ' '))} ` +
        `(times in ${escapeHtml(clock.timeZone)}).</p>\n<ul class="conversations">\n`,
    );
    for (const c of reader.conversations) {
      const when = c.lastTime === null ? '' : `${clock.date(c.lastTime)} ${clock.time(c.lastTime)}`;
      sink.write(
        `<li><a class="conversation" href="chats/${pageFileName(c, 1)}" data-kind="${
          c.group ? 'group' : 'one-to-one'
        }">` +
          `<div class="row"><span class="title" dir="auto">${escapeHtml(c.title)} ` +
          `<span class="badge">${c.group ? 'group' : '1:1'}</span>` +
          (c.archived ? ' <span class="badge">archived</span>' : '') +
          `</span><span class="muted">${escapeHtml(when)}</span></div>` +
          `<div class="row"><span class="last" dir="auto">${escapeHtml(lastMessageText(c))}</span>` +
          `<span class="muted count">${c.messageCount} ${c.messageCount === 1 ? 'message' : 'messages'}</span></div>` +
          (c.jid && c.jid !== c.title ? `<div class="muted">${escapeHtml(c.jid)}</div>` : '') +
          '</a></li>\n',
      );
    }
    sink.write('</ul>\n</main>\n</body>\n</html>\n');
    sink.close();
  } catch (err) {
    sink.abort();
    throw err;
  }
}

function writeSearchPage(
  reader: AccountReader,
  accountDir: string,
  accountName: string,
  chunkSize: number,
): void {
  const data = {
    conversations: reader.conversations
      .filter((c) => c.messageCount > 0)
      .map((c) => ({
        n: c.ordinal,
        title: c.title,
        chunks: Math.ceil(c.messageCount / chunkSize),
      })),
  };
  const sink = new FileSink(join(accountDir, 'search.html'));
  try {
    sink.write(head(`Search — ${accountName}`));
    sink.write(
      `<body class="search-page">\n<header class="top"><a href="index.html">← Chats</a>` +
        `<h1>Search</h1><form class="search" id="search-form" role="search">` +
        '<input id="q" type="search" name="q" placeholder="Search all messages" aria-label="Search all messages" autofocus>' +
        '<button type="submit">Search</button></form></header>\n<main>\n' +
        '<p id="summary" class="muted" aria-live="polite"></p>\n<ol id="results" class="results"></ol>\n' +
        `<script type="application/json" id="search-data">${scriptJson(data)}</script>\n` +
        `<script>${SEARCH_SCRIPT}</script>\n</main>\n</body>\n</html>\n`,
    );
    sink.close();
  } catch (err) {
    sink.abort();
    throw err;
  }
}
