// render.js OUTDIR PLAN.md... - render every ```mermaid block of each plan
// with the pinned mermaid package in headless Chromium (one browser for all)
// and write OUTDIR/<plan>.<n>.svg, or OUTDIR/<plan>.<n>.err with the parse
// or render error; mermaid.sh asserts on those files.
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const [outdir, ...plans] = process.argv.slice(2);
const diagrams = [];
for (const plan of plans) {
	const text = fs.readFileSync(plan, 'utf8');
	const re = /^```mermaid\n([\s\S]*?)^```$/gm;
	let m, n = 0;
	while ((m = re.exec(text)))
		diagrams.push({ out: path.join(outdir, `${path.basename(plan)}.${++n}`), text: m[1] });
	fs.writeFileSync(path.join(outdir, `${path.basename(plan)}.count`), `${n}\n`);
}

(async () => {
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		       '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	try {
		const page = await browser.newPage();
		await page.setContent('<!doctype html><html><body></body></html>');
		await page.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') });
		const results = await page.evaluate(async (texts) => {
			mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
			const out = [];
			for (let i = 0; i < texts.length; i++) {
				try {
					await mermaid.parse(texts[i]);
					const { svg } = await mermaid.render(`d${i}`, texts[i]);
					out.push({ svg });
				} catch (e) {
					out.push({ err: String((e && e.message) || e) });
				}
			}
			return out;
		}, diagrams.map((d) => d.text));
		results.forEach((r, i) => {
			if (r.svg !== undefined)
				fs.writeFileSync(`${diagrams[i].out}.svg`, r.svg);
			else
				fs.writeFileSync(`${diagrams[i].out}.err`, `${r.err}\n`);
		});
	} finally {
		await browser.close();
	}
})().catch((e) => {
	console.error(`render.js: ${e.message || e}`);
	process.exit(1);
});
