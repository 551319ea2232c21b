// The gate's storage on the phone (IndexedDB, with a small promise wrapper): the phone's
// credential and the list's state ("meta"), the day's list ("entries", by registration
// id) and the check-ins not sent yet ("queue", by the id the phone gave them).
(function () {
  "use strict";
  var NAME = "elbeday-gate";
  var VERSION = 1;
  var opening = null;

  function promised(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function open() {
    if (!opening) {
      var request = window.indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("meta");
        db.createObjectStore("entries", { keyPath: "id" });
        db.createObjectStore("queue", { keyPath: "id" });
      };
      opening = promised(request).then(function (db) {
        // Another tab upgrading or deleting the database: let it, and open again later.
        db.onversionchange = function () {
          db.close();
          opening = null;
        };
        return db;
      });
      opening.catch(function () { opening = null; });
    }
    return opening;
  }

  // Runs `work(stores)` in one transaction over `names`; resolves with what `work`
  // returned (a request's result, or a plain value) once the transaction is committed.
  function transact(names, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(names, mode);
        var stores = {};
        names.forEach(function (name) { stores[name] = transaction.objectStore(name); });
        var outcome = work(stores);
        transaction.oncomplete = function () {
          resolve(outcome instanceof window.IDBRequest ? outcome.result : outcome);
        };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  window.ElbeGateStore = {
    available: function () { return Boolean(window.indexedDB); },
    get: function (store, key) {
      return transact([store], "readonly", function (s) { return s[store].get(key); });
    },
    all: function (store) {
      return transact([store], "readonly", function (s) { return s[store].getAll(); });
    },
    count: function (store) {
      return transact([store], "readonly", function (s) { return s[store].count(); });
    },
    // `key` only for "meta", whose values carry no key of their own.
    put: function (store, value, key) {
      return transact([store], "readwrite", function (s) {
        if (key === undefined) {
          s[store].put(value);
        } else {
          s[store].put(value, key);
        }
      });
    },
    putMany: function (store, values, replace) {
      return transact([store], "readwrite", function (s) {
        if (replace) {
          s[store].clear();
        }
        values.forEach(function (value) { s[store].put(value); });
      });
    },
    remove: function (store, keys) {
      return transact([store], "readwrite", function (s) {
        keys.forEach(function (key) { s[store].delete(key); });
      });
    },
    clear: function (names) {
      return transact(names, "readwrite", function (s) {
        names.forEach(function (name) { s[name].clear(); });
      });
    }
  };
})();
