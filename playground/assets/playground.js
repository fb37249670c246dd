// Mounts GraphiQL for the sagshub playground page.
//
// Served by the hub from bytes compiled into the binary (see playground/src/graphiql.rs), after
// the vendored React, ReactDOM and GraphiQL UMD bundles. Its settings come from the inert JSON
// block <script type="application/json" id="sagshub-playground-config"> that the page embeds,
// so the page needs no inline script (works under `script-src 'self'`).
(function () {
  'use strict';

  var configElement = document.getElementById('sagshub-playground-config');
  var config = JSON.parse(configElement.textContent);

  // Tabs, history and settings live in memory only: every visit starts from the example
  // operations with the demo headers in place, and a token never lands in localStorage.
  var memory = new Map();
  var storage = {
    getItem: function (key) {
      return memory.has(key) ? memory.get(key) : null;
    },
    setItem: function (key, value) {
      memory.set(key, String(value));
    },
    removeItem: function (key) {
      memory.delete(key);
    },
    clear: function () {
      memory.clear();
    },
    key: function (index) {
      return Array.from(memory.keys())[index] || null;
    },
    get length() {
      return memory.size;
    },
  };

  function fetcher(graphQLParams, options) {
    var headers = {};
    var extra = (options && options.headers) || {};
    Object.keys(extra).forEach(function (name) {
      headers[name] = extra[name];
    });
    headers['Content-Type'] = 'application/json';
    headers['Accept'] = 'application/graphql-response+json, application/json';
    return fetch(config.endpoint, {
      method: 'POST',
      headers: headers,
      body: JSON.stringify(graphQLParams),
      credentials: 'same-origin',
    }).then(function (response) {
      return response.text().then(function (text) {
        try {
          return JSON.parse(text);
        } catch (_) {
          return {
            errors: [
              {
                message:
                  'HTTP ' + response.status + ' ' + response.statusText + ' (not JSON): ' + text,
              },
            ],
          };
        }
      });
    });
  }

  var props = {
    fetcher: fetcher,
    storage: storage,
    defaultTabs: config.tabs,
    defaultQuery: config.tabs.length > 0 ? config.tabs[0].query : undefined,
    defaultHeaders: config.headers || undefined,
    isHeadersEditorEnabled: true,
    // Name used by GraphiQL 2.x; harmless for 3.x.
    headerEditorEnabled: true,
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: config.headers ? 'headers' : true,
  };

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, props));
})();
