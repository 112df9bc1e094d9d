extension StatusPageHTML {
    /// The page's only stylesheet, inline (the page loads nothing else).
    static let css = """

        *{box-sizing:border-box}
        body{margin:0;background:#f3f5f8;color:#1c2633;font:14px/1.45 "DejaVu Sans",system-ui,sans-serif}
        header{background:#152233;color:#fff;padding:16px 28px;display:flex;align-items:baseline;justify-content:space-between}
        h1{margin:0;font-size:22px;letter-spacing:.01em}
        h1 span{font-weight:normal;color:#9fb3c8;margin-left:8px}
        .meta{margin:0;color:#c5d2df;font-size:13px}
        main{padding:18px 28px 28px;max-width:1280px}
        section{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:12px 16px;margin-bottom:16px}
        h2{margin:2px 0 10px;font-size:16px}
        h2 small{font-weight:normal;color:#6b7785;font-size:12px}
        .cards{display:flex;gap:14px;background:none;border:0;padding:0}
        .card{flex:1;background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:10px 16px}
        .card b{display:block;font-size:26px;line-height:1.2}
        .card b small{font-size:15px;color:#6b7785;font-weight:normal}
        .card span{color:#6b7785;font-size:12px}
        #card-failed b{color:#b42318}
        table{width:100%;border-collapse:collapse}
        th{text-align:left;font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:#6b7785;font-weight:600;
          border-bottom:1px solid #dde3ea;padding:5px 8px}
        td{padding:5px 8px;border-bottom:1px solid #eef1f5;vertical-align:baseline}
        tbody tr:last-child td{border-bottom:0}
        .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        td.name{font-weight:600}
        td.runner,td.id,td.when{font-family:"DejaVu Sans Mono",monospace;font-size:12px;white-space:nowrap}
        td.repo{word-break:break-all}
        td.reason{color:#8a1c12;word-break:break-word}
        td.empty{color:#6b7785;font-style:italic;text-align:center;padding:14px}
        small{color:#6b7785}
        .meter{width:130px;height:9px;background:#e6ebf1;border-radius:5px;overflow:hidden;margin-top:5px}
        .meter span{display:block;height:100%;background:#2f80ed}
        .meter.full span{background:#e8870e}
        .badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;background:#e8ecf1;color:#364152;white-space:nowrap}
        .st-pending{background:#fff1c2;color:#7a5200}.st-dispatching{background:#dbe8ff;color:#1e4bb0}
        .st-launched{background:#e3e1ff;color:#3b2fa8}.st-done{background:#d9f5e1;color:#17663a}
        .st-failed{background:#fde1de;color:#9b1c13}.st-unroutable{background:#fbe4cc;color:#8a3b00}
        .st-cancelled{background:#eceef1;color:#4f5b69}
        .gh-queued{background:#f1f3f6}.gh-in_progress{background:#fff4d6;color:#7a5200}.gh-completed{background:#e4f3ea;color:#205c36}
        svg{width:100%;height:auto;display:block}
        svg .grid{stroke:#e9edf2;stroke-width:1}
        svg .axis{stroke:#8a96a3;stroke-width:1}
        svg .tick{fill:#5b6776;font-size:12px}
        svg .axis-title{fill:#364152;font-size:12px;font-weight:600}
        svg .bar-max{fill:#b9d0f3}
        svg .bar-p50{fill:#2563eb}
        svg .empty{fill:#6b7785;font-size:15px;font-style:italic}
        .outage{border-color:#f3b8b2;background:#fff6f5}
        footer{color:#6b7785;font-size:12px;margin-top:4px}

        """
}
