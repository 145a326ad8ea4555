/*
 * Tender Hall sealed-bid container v1 (THSB) written in the browser with WebCrypto.
 * Byte format: docs/sealed-bid-container.md. The output is byte-compatible with
 * app/core/crypto/container/ (sealing.py); docs/test-vectors/ pins both to the same bytes.
 *
 *   const blob = await TenderHallSeal.sealBid(spkiPem, headerFields, manifest, files, onProgress)
 *
 * Files are read in chunk-sized slices (Blob.slice), so a large bid never sits in
 * memory as plaintext; the encrypted chunks become parts of the returned Blob.
 */
(function () {
  "use strict";

  var VERSION = 1;
  var DEFAULT_CHUNK_SIZE = 1024 * 1024;
  var MIN_CHUNK_SIZE = 64;
  var MAX_CHUNK_SIZE = 8 * 1024 * 1024;
  var RSA_BITS = 3072;
  var READ_BLOCK = 1024 * 1024;
  var subtle = window.crypto && window.crypto.subtle;
  var encoder = new TextEncoder();

  // ---------------------------------------------------------------- helpers

  function pemToDer(pem) {
    var body = String(pem)
      .replace(/-----BEGIN [^-]+-----/, "")
      .replace(/-----END [^-]+-----/, "")
      .replace(/\s+/g, "");
    var bin = atob(body);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function toBase64(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i += 0x8000) {
      s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(s);
  }

  function toHex(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return s;
  }

  // Same bytes as Python json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False).
  function canonicalJson(value) {
    if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
    if (value !== null && typeof value === "object") {
      return "{" + Object.keys(value).sort().map(function (k) {
        return JSON.stringify(k) + ":" + canonicalJson(value[k]);
      }).join(",") + "}";
    }
    if (typeof value === "number" && !Number.isInteger(value)) {
      throw new Error("THSB: non-integer numbers are not allowed; write amounts as strings");
    }
    return JSON.stringify(value);
  }

  function u32(n) {
    var b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    return b;
  }

  function u64(n) {
    var b = new Uint8Array(8);
    var v = new DataView(b.buffer);
    v.setUint32(0, Math.floor(n / 4294967296));
    v.setUint32(4, n >>> 0);
    return b;
  }

  function concat(parts) {
    var len = 0;
    parts.forEach(function (p) { len += p.length; });
    var out = new Uint8Array(len);
    var off = 0;
    parts.forEach(function (p) { out.set(p, off); off += p.length; });
    return out;
  }

  async function readSlice(blob, start, end) {
    return new Uint8Array(await blob.slice(start, end).arrayBuffer());
  }

  // Incremental SHA-256: crypto.subtle.digest needs the whole input at once.
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);

  function Sha256() {
    this.h = new Uint32Array([
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
    ]);
    this.block = new Uint8Array(64);
    this.used = 0;
    this.length = 0;
    this.w = new Uint32Array(64);
  }

  Sha256.prototype.compress = function (data, off) {
    var w = this.w, h = this.h, i, t1, t2;
    for (i = 0; i < 16; i++) {
      w[i] = (data[off + 4 * i] << 24) | (data[off + 4 * i + 1] << 16) |
        (data[off + 4 * i + 2] << 8) | data[off + 4 * i + 3];
    }
    for (i = 16; i < 64; i++) {
      var x = w[i - 15], y = w[i - 2];
      var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (i = 0; i < 64; i++) {
      var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      var ch = (e & f) ^ (~e & g);
      t1 = (hh + S1 + ch + K[i] + w[i]) | 0;
      var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      var maj = (a & b) ^ (a & c) ^ (b & c);
      t2 = (S0 + maj) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  };

  Sha256.prototype.update = function (data) {
    var off = 0;
    this.length += data.length;
    if (this.used) {
      var take = Math.min(64 - this.used, data.length);
      this.block.set(data.subarray(0, take), this.used);
      this.used += take;
      off = take;
      if (this.used < 64) return;
      this.compress(this.block, 0);
      this.used = 0;
    }
    for (; off + 64 <= data.length; off += 64) this.compress(data, off);
    if (off < data.length) {
      this.block.set(data.subarray(off), 0);
      this.used = data.length - off;
    }
  };

  Sha256.prototype.hexdigest = function () {
    var bits = this.length * 8;
    var pad = new Uint8Array(((this.used < 56) ? 56 : 120) - this.used + 8);
    pad[0] = 0x80;
    var v = new DataView(pad.buffer);
    v.setUint32(pad.length - 8, Math.floor(bits / 4294967296));
    v.setUint32(pad.length - 4, bits >>> 0);
    this.update(pad);
    var out = new Uint8Array(32);
    var ov = new DataView(out.buffer);
    for (var i = 0; i < 8; i++) ov.setUint32(4 * i, this.h[i]);
    return toHex(out);
  };

  // ---------------------------------------------------------------- sealing

  function checkPriceForm(form) {
    if (!form || typeof form !== "object") throw new Error("开标一览表缺失");
    if (typeof form.total_price !== "string" || !/^(0|[1-9]\d{0,14})(\.\d{1,2})?$/.test(form.total_price)) {
      throw new Error("开标一览表总价须为以元为单位、最多两位小数的数字字符串");
    }
  }

  async function hashFile(file, progress) {
    var sha = new Sha256();
    for (var off = 0; off < file.size; off += READ_BLOCK) {
      var part = await readSlice(file, off, Math.min(file.size, off + READ_BLOCK));
      sha.update(part);
      progress(part.length);
    }
    return sha.hexdigest();
  }

  async function seal(hooks, publicKeySpkiPem, headerFields, manifest, files, onProgress) {
    if (!subtle) throw new Error("此浏览器不支持 WebCrypto，请使用新版浏览器或命令行工具加密");
    checkPriceForm(manifest && manifest.price_form);
    var chunkSize = headerFields.chunk_size || DEFAULT_CHUNK_SIZE;
    if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) throw new Error("分块大小无效");
    var spki = pemToDer(publicKeySpkiPem);
    var rsaKey = await subtle.importKey("spki", spki, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]);
    if (rsaKey.algorithm.modulusLength !== RSA_BITS) throw new Error("开标公钥须为 RSA-3072");
    var keySha = toHex(new Uint8Array(await subtle.digest("SHA-256", spki)));

    var total = 0;
    files.forEach(function (f) { total += f.size; });
    var done = 0;
    var report = function (n) {
      done += n;
      if (onProgress) onProgress(done, 2 * total);
    };

    var entries = [];
    var names = {};
    for (var i = 0; i < files.length; i++) {
      var f = files[i];
      if (names[f.name]) throw new Error("文件名不能重复：" + f.name);
      names[f.name] = true;
      entries.push({
        name: f.name,
        size: f.size,
        sha256: await hashFile(f, report),
        content_type: f.type || "application/octet-stream"
      });
    }
    var body = Object.assign({}, manifest, { version: 1, files: entries });
    var manifestBytes = encoder.encode(canonicalJson(body));

    var rawKey = hooks.contentKey ? new Uint8Array(hooks.contentKey) : crypto.getRandomValues(new Uint8Array(32));
    var aesKey = await subtle.importKey("raw", rawKey, { name: "AES-GCM" }, false, ["encrypt"]);
    var wrapped = hooks.wrappedKey
      ? new Uint8Array(hooks.wrappedKey)
      : new Uint8Array(await subtle.encrypt({ name: "RSA-OAEP" }, rsaKey, rawKey));
    rawKey.fill(0);

    var types = {};
    entries.forEach(function (e) { types[e.content_type] = true; });
    var fields = {
      lot_id: headerFields.lot_id,
      lot_code: headerFields.lot_code,
      bidder_org_id: headerFields.bidder_org_id === undefined ? null : headerFields.bidder_org_id,
      bidder_credit_code: headerFields.bidder_credit_code,
      chunk_size: chunkSize,
      created_at: headerFields.created_at || new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      manifest_size: manifestBytes.length,
      content_types: Object.keys(types).sort(),
      opening_key_sha256: keySha,
      key_wrap: "RSA-OAEP-256",
      cipher: "A256GCM",
      wrapped_key: toBase64(wrapped)
    };
    var headerJson = encoder.encode(canonicalJson(fields));
    var headerRaw = concat([encoder.encode("THSB"), new Uint8Array([VERSION]), u32(headerJson.length), headerJson]);
    var headerHash = new Uint8Array(await subtle.digest("SHA-256", headerRaw));
    var parts = [headerRaw];

    var index = 0;
    async function emit(data, final) {
      var flag = new Uint8Array([final ? 1 : 0]);
      var iv = concat([new Uint8Array(4), u64(index)]);
      var aad = concat([headerHash, u64(index), flag]);
      var ct = new Uint8Array(await subtle.encrypt(
        { name: "AES-GCM", iv: iv, additionalData: aad, tagLength: 128 }, aesKey, data));
      parts.push(concat([u64(index), flag, u32(ct.length)]), ct);
      index += 1;
    }

    // A full chunk is held back until more plaintext shows it is not the last one.
    var buf = new Uint8Array(chunkSize);
    var fill = 0;
    var pending = null;
    async function push(data) {
      var off = 0;
      while (off < data.length) {
        var take = Math.min(chunkSize - fill, data.length - off);
        buf.set(data.subarray(off, off + take), fill);
        fill += take;
        off += take;
        if (fill === chunkSize) {
          if (pending) await emit(pending, false);
          pending = buf;
          buf = new Uint8Array(chunkSize);
          fill = 0;
        }
      }
    }

    await push(concat([u32(manifestBytes.length), manifestBytes]));
    for (var j = 0; j < files.length; j++) {
      var file = files[j];
      for (var off = 0; off < file.size; off += READ_BLOCK) {
        var piece = await readSlice(file, off, Math.min(file.size, off + READ_BLOCK));
        await push(piece);
        report(piece.length);
      }
    }
    if (fill > 0) {
      if (pending) await emit(pending, false);
      await emit(buf.slice(0, fill), true);
    } else {
      await emit(pending, true);
    }
    return new Blob(parts, { type: "application/vnd.tenderhall.sealed-bid" });
  }

  window.TenderHallSeal = {
    version: VERSION,
    sealBid: function (publicKeySpkiPem, headerFields, manifest, files, onProgress) {
      return seal({}, publicKeySpkiPem, headerFields, manifest, files, onProgress);
    },
    canonicalJson: canonicalJson,
    Sha256: Sha256,
    // Test vectors only: a fixed content key and a pre-wrapped key (RSA-OAEP padding is random).
    testing: {
      sealBidWith: function (hooks, publicKeySpkiPem, headerFields, manifest, files, onProgress) {
        return seal(hooks || {}, publicKeySpkiPem, headerFields, manifest, files, onProgress);
      }
    }
  };
})();
