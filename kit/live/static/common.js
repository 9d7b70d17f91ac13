// What every kernel-less page of the kit shares (the phones' page, the big screen, the
// workshop page): it is put in front of the page's own script, in the same module, by
// kit.live.page.inline_assets. Plain browser JavaScript, nothing from the internet.

const config = JSON.parse(document.getElementById("kit-config").textContent);
const T = config.texts;
const $ = (id) => document.getElementById(id);

// "{n} av {total}" with the values put in; an unknown name stays as it was
function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

// the _xsrf cookie, sent back in a header on every write (Tornado's double-submit check)
function xsrf() {
  const m = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : "";
}
