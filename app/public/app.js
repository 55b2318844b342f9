// The guestbook page. Every URL is relative, so the same files work from the service and from S3
// behind CloudFront. Message text is only ever set through textContent: it is shown, never parsed as HTML.
const list = document.getElementById('messages');
const form = document.getElementById('message-form');
const nameInput = document.getElementById('message-name');
const textInput = document.getElementById('message-text');
const formStatus = document.getElementById('form-status');
const listStatus = document.getElementById('list-status');
const loadMore = document.getElementById('load-more');
let nextCursor = null;

function setStatus(element, text, isError) {
  element.textContent = text;
  element.classList.toggle('error', Boolean(isError));
}

function renderMessage(message) {
  const item = document.createElement('li');
  item.dataset.id = String(message.id);
  const meta = document.createElement('div');
  meta.className = 'message-meta';
  const author = document.createElement('strong');
  author.className = 'message-name';
  author.textContent = message.name;
  const when = document.createElement('time');
  when.dateTime = message.createdAt;
  when.textContent = ` · ${new Date(message.createdAt).toLocaleString()}`;
  meta.append(author, when);
  const text = document.createElement('p');
  text.className = 'message-text';
  text.textContent = message.text;
  item.append(meta, text);
  return item;
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    return body.message || `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

async function loadMessages(reset) {
  const params = new URLSearchParams({ limit: '20' });
  if (!reset && nextCursor !== null) params.set('before', String(nextCursor));
  try {
    const response = await fetch(`api/messages?${params}`);
    if (!response.ok) throw new Error(await errorMessage(response));
    const page = await response.json();
    if (reset) list.replaceChildren();
    list.append(...page.messages.map(renderMessage));
    nextCursor = page.nextCursor;
    loadMore.hidden = nextCursor === null;
    setStatus(listStatus, list.children.length === 0 ? 'No messages yet: be the first!' : '');
  } catch (error) {
    setStatus(listStatus, `Could not load messages: ${error.message}`, true);
  }
}

async function greet() {
  const name = new URLSearchParams(location.search).get('name');
  const response = await fetch(`api/hello${name ? `?${new URLSearchParams({ name })}` : ''}`);
  if (response.ok) document.getElementById('greeting').textContent = (await response.json()).message;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  setStatus(formStatus, 'Sending…');
  try {
    const response = await fetch('api/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: nameInput.value, text: textInput.value }),
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    textInput.value = '';
    setStatus(formStatus, 'Thank you!');
    await loadMessages(true);
  } catch (error) {
    setStatus(formStatus, `Not sent: ${error.message}`, true);
  }
});

loadMore.addEventListener('click', () => loadMessages(false));
greet().catch(() => {});
loadMessages(true);
