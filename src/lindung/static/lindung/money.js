/* Lindung money inputs: thousands separators and the amount in words while typing.
 *
 * Markup (ui/fields.py RupiahInput, rendered by the server; works without this script):
 *   <span class="rupiah-input">
 *     <input type="text" inputmode="numeric" data-rupiah name="…" value="2.500.000">
 *     <span class="money-words" data-money-words>dua juta lima ratus ribu rupiah</span>
 *   </span>
 *   (the words span only for budgets; a plain money input is the input alone)
 *
 * While typing digits the value is regrouped as 2.500.000, the caret kept after the same digit.
 * Text with a comma, a unit or "Rp" (Rp2,5 juta, 12 M) is left as typed. The words follow
 * every change; they are emptied while the value cannot be read (the server says why).
 * parseRupiah and terbilang mirror lindung/formats.py parse_rupiah and terbilang: keep them in
 * step. One listener on the document, so inputs swapped in by htmx work too.
 */
(function () {
  "use strict";

  var MAX = 999999999999999n; // formats.MAX_RUPIAH
  var UNITS = {
    rb: 1000n, ribu: 1000n, k: 1000n,
    jt: 1000000n, juta: 1000000n,
    m: 1000000000n, miliar: 1000000000n, milyar: 1000000000n,
    t: 1000000000000n, triliun: 1000000000000n, trilyun: 1000000000000n
  };
  var AMOUNT = /^(\d(?:[\d.,]*\d)?)\s*([^\d\s.,]\S*)?$/;

  function grouped(number, separator) {
    var parts = number.split(separator);
    if (parts[0].length < 1 || parts[0].length > 3) return false;
    for (var i = 1; i < parts.length; i++) if (parts[i].length !== 3) return false;
    return true;
  }

  /* [whole digits, decimal digits], or null when the separators read two ways. */
  function splitNumber(number) {
    var dots = number.split(".").length - 1;
    var commas = number.split(",").length - 1;
    if (!dots && !commas) return [number, ""];
    if (dots && commas) {
      var decimal = number.lastIndexOf(".") > number.lastIndexOf(",") ? "." : ",";
      var group = decimal === "." ? "," : ".";
      var at = number.lastIndexOf(decimal);
      var head = number.slice(0, at);
      if (head.indexOf(decimal) < 0 && grouped(head, group)) {
        return [head.split(group).join(""), number.slice(at + 1)];
      }
      return null;
    }
    if (dots) return grouped(number, ".") ? [number.split(".").join(""), ""] : null;
    if (commas > 1) return grouped(number, ",") ? [number.split(",").join(""), ""] : null;
    var parts = number.split(",");
    return parts[1].length !== 3 ? parts : null;
  }

  /* Whole rupiah as a BigInt, or null when parse_rupiah would refuse the text. */
  function parseRupiah(text) {
    var value = String(text).replace(/\u00a0/g, " ").trim().split(/\s+/).join(" ").toLowerCase();
    if (!value || /^[-\u2212\u2013]/.test(value)) return null;
    value = value.replace(/^(?:rp\.?|idr)\s*/, "").replace(/\s*(?:[.,]-|rupiah)$/, "");
    var match = AMOUNT.exec(value);
    if (!match) return null;
    var unit = match[2] || "";
    if (unit && !Object.prototype.hasOwnProperty.call(UNITS, unit)) return null;
    var parts = splitNumber(match[1]);
    if (!parts) return null;
    var scaled = BigInt(parts[0] + parts[1]) * (unit ? UNITS[unit] : 1n);
    var divisor = 10n ** BigInt(parts[1].length);
    if (scaled % divisor !== 0n) return null;
    var amount = scaled / divisor;
    return amount > MAX ? null : amount;
  }

  var ONES = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"];
  var SCALES = ["", "ribu", "juta", "miliar", "triliun"];

  function belowThousand(n) {
    var words = [];
    var hundreds = Math.floor(n / 100);
    var rest = n % 100;
    if (hundreds === 1) words.push("seratus");
    else if (hundreds) words.push(ONES[hundreds] + " ratus");
    if (rest === 10) words.push("sepuluh");
    else if (rest === 11) words.push("sebelas");
    else if (rest > 11 && rest < 20) words.push(ONES[rest - 10] + " belas");
    else {
      if (rest >= 20) words.push(ONES[Math.floor(rest / 10)] + " puluh");
      if (rest % 10) words.push(ONES[rest % 10]);
    }
    return words.join(" ");
  }

  /* 12000000000n -> "dua belas miliar rupiah" (formats.terbilang). */
  function terbilang(amount) {
    if (amount === 0n) return "nol rupiah";
    var groups = [];
    for (var rest = amount; rest > 0n; rest = rest / 1000n) groups.push(Number(rest % 1000n));
    var words = [];
    for (var i = groups.length - 1; i >= 0; i--) {
      if (!groups[i]) continue;
      if (i === 1 && groups[i] === 1) words.push("seribu");
      else words.push(belowThousand(groups[i]) + (SCALES[i] ? " " + SCALES[i] : ""));
    }
    return words.join(" ") + " rupiah";
  }

  function isPlain(value) {
    return value === "" || /^\d+$/.test(value) || /^\d{1,3}(\.\d{3})+$/.test(value);
  }

  /* Regroup a value of digits and dots, keeping the caret after the same number of digits. */
  function regroup(input) {
    var value = input.value;
    var caret = input.selectionStart === null ? value.length : input.selectionStart;
    var digitsBefore = value.slice(0, caret).replace(/\D/g, "").length;
    var digits = value.replace(/\D/g, "").replace(/^0+(?=\d)/, "");
    var removed = value.replace(/\D/g, "").length - digits.length;
    digitsBefore = Math.max(0, digitsBefore - removed);
    var text = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    if (text === value) return;
    input.value = text;
    var position = 0;
    for (var seen = 0; position < text.length && seen < digitsBefore; position++) {
      if (/\d/.test(text[position])) seen++;
    }
    if (document.activeElement === input) input.setSelectionRange(position, position);
  }

  function onInput(event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-rupiah")) return;
    var previous = input.getAttribute("data-rupiah-previous") || "";
    var typed = event.data;
    var typedDigits = typeof typed === "string" && /^\d+$/.test(typed);
    var deleting = /^delete/.test(event.inputType || "");
    var value = input.value;
    // Regroup a plain number, or one that was plain before a digit went in or out; never undo
    // a dot or comma just typed (2,5 juta on its way).
    if (/^[\d.]*$/.test(value) && (isPlain(value) || ((typedDigits || deleting) && isPlain(previous)))) {
      regroup(input);
    }
    input.setAttribute("data-rupiah-previous", input.value);
    var words = input.parentElement && input.parentElement.querySelector("[data-money-words]");
    if (words) {
      var amount = parseRupiah(input.value);
      words.textContent = amount === null ? "" : terbilang(amount);
    }
  }

  document.addEventListener("input", onInput);
  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.hasAttribute("data-rupiah")) {
      input.setAttribute("data-rupiah-previous", input.value);
    }
  });
  // For tests and the curious: the same readings as the server's.
  window.lindungMoney = { parseRupiah: parseRupiah, terbilang: terbilang };
})();
