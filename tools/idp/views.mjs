// The provider's pages: login, logout, signed out, error. Korean first, English beside it;
// everything inline (no CDN). Element ids follow Keycloak's login theme (kc-form-login,
// username, password, kc-login, input-error) so browser tests work against either.

export function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  })[c]);
}

const STYLE = `
  :root { color-scheme: light; --accent: #1d4ed8; --muted: #555; }
  * { box-sizing: border-box; }
  body { margin: 0; font-family: system-ui, -apple-system, "Apple SD Gothic Neo", "Noto Sans KR",
    "Malgun Gothic", sans-serif; background: #eef1f5; color: #1b1f24; }
  main { max-width: 26rem; margin: 8vh auto; background: #fff; padding: 2rem 2.25rem;
    border-radius: 10px; box-shadow: 0 2px 10px rgba(0,0,0,.08); }
  h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
  .realm { color: var(--muted); margin: 0 0 1.5rem; font-size: .9rem; }
  label { display: block; font-weight: 600; margin: 1rem 0 .35rem; }
  .en { color: var(--muted); font-weight: 400; font-size: .85em; }
  input[type=text], input[type=password] { width: 100%; padding: .6rem .7rem; font-size: 1rem;
    border: 1px solid #b8c0cc; border-radius: 6px; }
  input:focus, button:focus { outline: 3px solid #93b4f5; outline-offset: 1px; }
  input[aria-invalid=true] { border-color: #b42318; }
  .error { background: #fdecea; color: #8a1c12; border: 1px solid #f5c2bc; border-radius: 6px;
    padding: .6rem .8rem; margin: 0 0 1rem; }
  .actions { display: flex; gap: .75rem; margin-top: 1.5rem; }
  button { flex: 1; padding: .65rem; font-size: 1rem; border-radius: 6px; cursor: pointer;
    border: 1px solid var(--accent); background: var(--accent); color: #fff; }
  button.secondary { background: #fff; color: var(--accent); }
  details { margin-top: 1.75rem; font-size: .85rem; color: var(--muted); }
  table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
  th, td { text-align: left; padding: .2rem .4rem; border-bottom: 1px solid #e3e7ed; }
  code { font-size: .95em; }
`;

function page({ title, body, status = 200, head = '' }) {
  return {
    status,
    html: `<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${head}
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`,
  };
}

function demoUsersTable(users) {
  const rows = users.map((u) => `<tr><td><code>${escapeHtml(u.username)}</code></td>`
    + `<td><code>${escapeHtml(u.password)}</code></td><td>${escapeHtml(u.roles.join(', '))}</td>`
    + `<td>${escapeHtml(u.org ?? '')}</td></tr>`).join('\n');
  return `<details>
<summary>개발용 데모 계정 <span class="en">Demo accounts (development only)</span></summary>
<table>
<thead><tr><th>username</th><th>password</th><th>role</th><th>org</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</details>`;
}

/** The login form of an interaction; `error` re-renders it after a failed attempt. */
export function loginPage({
  action, realmName, clientName, username = '', error = false, users = [],
}) {
  const invalid = error ? ' aria-invalid="true" aria-describedby="input-error"' : '';
  const alert = error
    ? `<p class="error" id="input-error" role="alert">사용자 이름 또는 비밀번호가 올바르지 않습니다.
<span class="en">Invalid username or password.</span></p>`
    : '';
  return page({
    title: '로그인 · Sign in — kohub',
    body: `<h1>로그인 <span class="en">Sign in</span></h1>
<p class="realm">${escapeHtml(realmName)} · ${escapeHtml(clientName)}</p>
${alert}
<form id="kc-form-login" method="post" action="${escapeHtml(action)}" novalidate>
<label for="username">사용자 이름 또는 이메일 <span class="en">Username or email</span></label>
<input type="text" id="username" name="username" value="${escapeHtml(username)}"
  autocomplete="username" autocapitalize="off" spellcheck="false" required${error ? '' : ' autofocus'}${invalid}>
<label for="password">비밀번호 <span class="en">Password</span></label>
<input type="password" id="password" name="password" autocomplete="current-password" required${error ? ' autofocus' : ''}${invalid}>
<div class="actions">
<button type="submit" id="kc-login" name="action" value="login">로그인 <span class="en">Sign in</span></button>
<button type="submit" id="kc-cancel" class="secondary" name="action" value="cancel" formnovalidate>취소 <span class="en">Cancel</span></button>
</div>
</form>
${users.length ? demoUsersTable(users) : ''}`,
  });
}

/** RP-initiated logout. With a valid id_token_hint the form submits itself (Keycloak logs out
 * without asking then); otherwise the user confirms. `form` is the provider's form element. */
export function logoutPage({ form, automatic }) {
  const script = automatic
    ? `<script>
document.addEventListener('DOMContentLoaded', function () {
  var form = document.getElementById('op.logoutForm');
  var input = document.createElement('input');
  input.type = 'hidden'; input.name = 'logout'; input.value = 'yes';
  form.appendChild(input); form.submit();
});
</script>`
    : '';
  return page({
    title: '로그아웃 · Sign out — kohub',
    head: script,
    body: `<h1>로그아웃하시겠습니까? <span class="en">Sign out?</span></h1>
<p class="realm">kecp-sso</p>
${form}
<div class="actions">
<button type="submit" form="op.logoutForm" id="kc-logout" name="logout" value="yes" autofocus>로그아웃 <span class="en">Sign out</span></button>
<button type="submit" form="op.logoutForm" class="secondary">취소 <span class="en">Stay signed in</span></button>
</div>`,
  });
}

export function signedOutPage() {
  return page({
    title: '로그아웃됨 · Signed out — kohub',
    body: `<h1>로그아웃되었습니다 <span class="en">You are signed out</span></h1>
<p class="realm">kecp-sso</p>`,
  });
}

export function errorPage({ status = 400, error, description }) {
  return page({
    status,
    title: '오류 · Error — kohub',
    body: `<h1>요청을 처리할 수 없습니다 <span class="en">The request cannot be completed</span></h1>
<p class="error" role="alert"><code>${escapeHtml(error)}</code>${description ? ` — ${escapeHtml(description)}` : ''}</p>
<p>처음부터 다시 로그인해 주세요. <span class="en">Please start the sign-in again from the application.</span></p>`,
  });
}
