"""Camera-ready papers as IEEE's and Springer's official templates make them: ``bare_conf.tex`` /
``conference_101719.tex`` (IEEEtran, conference) and ``samplepaper.tex`` (llncs, runningheads), with their
author blocks, keywords, figures (TikZ), tables, equations and a bibliography as IEEEtran.bst and splncs04.bst
write it (the ``.bbl`` inline: the tests compile with pdflatex alone, twice for the citations).
"""

from __future__ import annotations

from tests.texpapers import TITLE, prose

IEEE_TITLE = TITLE
LNCS_TITLE = TITLE

_IEEE_AUTHORS = [("Ada Lovelace", "School of Computing Science", "University of Glasgow", "Glasgow, United Kingdom",
                  "ada.lovelace@example.org", "0000-0002-1825-0097"),
                 ("Alan Turing", "Department of Computer Science", "University of Manchester",
                  "Manchester, United Kingdom", "alan.turing@example.org", "0000-0001-5109-3700"),
                 ("Grace Hopper", "Dept. of Electrical Engineering", "Yale University", "New Haven, CT, USA",
                  "grace.hopper@example.org", "0000-0003-1234-5678"),
                 ("Edsger Dijkstra", "Faculty of Mathematics", "Eindhoven University of Technology",
                  "Eindhoven, The Netherlands", "e.dijkstra@example.org", "0000-0002-9876-5432"),
                 ("Barbara Liskov", "CSAIL", "Massachusetts Institute of Technology", "Cambridge, MA, USA",
                  "liskov@example.org", "0000-0001-2345-6789"),
                 ("Tim Berners-Lee", "Dept. of Computer Science", "University of Oxford", "Oxford, United Kingdom",
                  "timbl@example.org", "0000-0003-4567-8901")]

_REFS = [  # (key, IEEEtran.bst entry, splncs04.bst entry)
    ("radford21", r"A.~Radford, J.~W. Kim, C.~Hallacy \emph{et~al.}, ``Learning transferable visual models from "
     r"natural language supervision,'' in \emph{Proc. 38th Int. Conf. Mach. Learn. (ICML)}, 2021, pp. 8748--8763.",
     r"Radford, A., Kim, J.W., Hallacy, C., et~al.: Learning transferable visual models from natural language "
     r"supervision. In: Proc. ICML. pp. 8748--8763 (2021)"),
    ("karpukhin20", r"V.~Karpukhin, B.~Oguz, S.~Min, P.~Lewis, L.~Wu, S.~Edunov, D.~Chen, and W.-t. Yih, ``Dense "
     r"passage retrieval for open-domain question answering,'' in \emph{Proc. EMNLP}, 2020, pp. 6769--6781.",
     r"Karpukhin, V., Oguz, B., Min, S., Lewis, P., Wu, L., Edunov, S., Chen, D., Yih, W.t.: Dense passage "
     r"retrieval for open-domain question answering. In: Proc. EMNLP. pp. 6769--6781 (2020)"),
    ("jegou11", r"H.~J\'egou, M.~Douze, and C.~Schmid, ``Product quantization for nearest neighbor search,'' "
     r"\emph{IEEE Trans. Pattern Anal. Mach. Intell.}, vol.~33, no.~1, pp. 117--128, 2011.",
     r"J\'egou, H., Douze, M., Schmid, C.: Product quantization for nearest neighbor search. IEEE Trans. "
     r"Pattern Anal. Mach. Intell. \textbf{33}(1), 117--128 (2011)"),
    ("johnson19", r"J.~Johnson, M.~Douze, and H.~J\'egou, ``Billion-scale similarity search with {GPUs},'' "
     r"\emph{IEEE Trans. Big Data}, vol.~7, no.~3, pp. 535--547, 2021.",
     r"Johnson, J., Douze, M., J\'egou, H.: Billion-scale similarity search with {GPUs}. IEEE Trans. Big Data "
     r"\textbf{7}(3), 535--547 (2021)"),
    ("dosovitskiy21", r"A.~Dosovitskiy, L.~Beyer, A.~Kolesnikov \emph{et~al.}, ``An image is worth 16x16 words: "
     r"Transformers for image recognition at scale,'' in \emph{Proc. ICLR}, 2021.",
     r"Dosovitskiy, A., Beyer, L., Kolesnikov, A., et~al.: An image is worth 16x16 words: Transformers for image "
     r"recognition at scale. In: Proc. ICLR (2021)"),
    ("rao21", r"Y.~Rao, W.~Zhao, B.~Liu, J.~Lu, J.~Zhou, and C.-J. Hsieh, ``{DynamicViT}: Efficient vision "
     r"transformers with dynamic token sparsification,'' in \emph{Adv. Neural Inf. Process. Syst.}, vol.~34, "
     r"2021, pp. 13\,937--13\,949.",
     r"Rao, Y., Zhao, W., Liu, B., Lu, J., Zhou, J., Hsieh, C.J.: {DynamicViT}: Efficient vision transformers "
     r"with dynamic token sparsification. In: NeurIPS. vol.~34, pp. 13937--13949 (2021)"),
    ("bolya23", r"D.~Bolya, C.-Y. Fu, X.~Dai, P.~Zhang, C.~Feichtenhofer, and J.~Hoffman, ``Token merging: Your "
     r"{ViT} but faster,'' in \emph{Proc. ICLR}, 2023.",
     r"Bolya, D., Fu, C.Y., Dai, X., Zhang, P., Feichtenhofer, C., Hoffman, J.: Token merging: Your {ViT} but "
     r"faster. In: Proc. ICLR (2023)"),
    ("khattab20", r"O.~Khattab and M.~Zaharia, ``{ColBERT}: Efficient and effective passage search via "
     r"contextualized late interaction over {BERT},'' in \emph{Proc. 43rd Int. ACM SIGIR Conf.}, 2020, "
     r"pp. 39--48.",
     r"Khattab, O., Zaharia, M.: {ColBERT}: Efficient and effective passage search via contextualized late "
     r"interaction over {BERT}. In: Proc. SIGIR. pp. 39--48. ACM (2020)"),
    ("malkov20", r"Y.~A. Malkov and D.~A. Yashunin, ``Efficient and robust approximate nearest neighbor search "
     r"using hierarchical navigable small world graphs,'' \emph{IEEE Trans. Pattern Anal. Mach. Intell.}, "
     r"vol.~42, no.~4, pp. 824--836, 2020.",
     r"Malkov, Y.A., Yashunin, D.A.: Efficient and robust approximate nearest neighbor search using hierarchical "
     r"navigable small world graphs. IEEE TPAMI \textbf{42}(4), 824--836 (2020)"),
    ("lin14", r"T.-Y. Lin, M.~Maire, S.~Belongie \emph{et~al.}, ``Microsoft {COCO}: Common objects in context,'' "
     r"in \emph{Computer Vision -- ECCV 2014}, ser. LNCS, vol. 8693.\hskip 1em plus 0.5em minus 0.4em\relax "
     r"Cham: Springer, 2014, pp. 740--755.",
     r"Lin, T.Y., Maire, M., Belongie, S., et~al.: Microsoft {COCO}: Common objects in context. In: Computer "
     r"Vision -- ECCV 2014. LNCS, vol.~8693, pp. 740--755. Springer, Cham (2014)"),
    ("young14", r"P.~Young, A.~Lai, M.~Hodosh, and J.~Hockenmaier, ``From image descriptions to visual "
     r"denotations,'' \emph{Trans. Assoc. Comput. Linguist.}, vol.~2, pp. 67--78, 2014.",
     r"Young, P., Lai, A., Hodosh, M., Hockenmaier, J.: From image descriptions to visual denotations. TACL "
     r"\textbf{2}, 67--78 (2014)"),
    ("hinton15", r"G.~Hinton, O.~Vinyals, and J.~Dean, ``Distilling the knowledge in a neural network,'' 2015, "
     r"arXiv:1503.02531.",
     r"Hinton, G., Vinyals, O., Dean, J.: Distilling the knowledge in a neural network. arXiv preprint "
     r"arXiv:1503.02531 (2015)"),
    ("han16", r"S.~Han, H.~Mao, and W.~J. Dally, ``Deep compression: Compressing deep neural networks with "
     r"pruning, trained quantization and {Huffman} coding,'' in \emph{Proc. ICLR}, 2016.",
     r"Han, S., Mao, H., Dally, W.J.: Deep compression: Compressing deep neural networks with pruning, trained "
     r"quantization and {Huffman} coding. In: Proc. ICLR (2016)"),
    ("howard17", r"A.~G. Howard, M.~Zhu, B.~Chen \emph{et~al.}, ``{MobileNets}: Efficient convolutional neural "
     r"networks for mobile vision applications,'' 2017, arXiv:1704.04861.",
     r"Howard, A.G., Zhu, M., Chen, B., et~al.: {MobileNets}: Efficient convolutional neural networks for mobile "
     r"vision applications. arXiv preprint arXiv:1704.04861 (2017)"),
    ("strubell19", r"E.~Strubell, A.~Ganesh, and A.~McCallum, ``Energy and policy considerations for deep "
     r"learning in {NLP},'' in \emph{Proc. 57th Annu. Meeting Assoc. Comput. Linguist.}, 2019, pp. 3645--3650.",
     r"Strubell, E., Ganesh, A., McCallum, A.: Energy and policy considerations for deep learning in {NLP}. In: "
     r"Proc. ACL. pp. 3645--3650 (2019)"),
    ("li22", r"J.~Li, D.~Li, C.~Xiong, and S.~Hoi, ``{BLIP}: Bootstrapping language-image pre-training for "
     r"unified vision-language understanding and generation,'' in \emph{Proc. ICML}, 2022, pp. 12\,888--12\,900.",
     r"Li, J., Li, D., Xiong, C., Hoi, S.: {BLIP}: Bootstrapping language-image pre-training for unified "
     r"vision-language understanding and generation. In: Proc. ICML. pp. 12888--12900 (2022)"),
    ("formal21", r"T.~Formal, B.~Piwowarski, and S.~Clinchant, ``{SPLADE}: Sparse lexical and expansion model "
     r"for first stage ranking,'' in \emph{Proc. SIGIR}, 2021, pp. 2288--2292.",
     r"Formal, T., Piwowarski, B., Clinchant, S.: {SPLADE}: Sparse lexical and expansion model for first stage "
     r"ranking. In: Proc. SIGIR. pp. 2288--2292 (2021)"),
    ("ieee754", r"\emph{{IEEE} Standard for Floating-Point Arithmetic}, IEEE Std. 754-2019, 2019.",
     r"IEEE: {IEEE} Standard for Floating-Point Arithmetic. IEEE Std 754-2019 (2019)"),
    ("faiss", r"Meta AI Research. (2024) Faiss: A library for efficient similarity search. [Online]. "
     r"Available: \url{https://github.com/facebookresearch/faiss}",
     r"Meta AI Research: Faiss: A library for efficient similarity search (2024), "
     r"\url{https://github.com/facebookresearch/faiss}, last accessed 2024/10/01"),
    ("knuth84", r"D.~E. Knuth, \emph{The {\TeX}book}.\hskip 1em plus 0.5em minus 0.4em\relax Reading, MA: "
     r"Addison-Wesley, 1984.",
     r"Knuth, D.E.: The {\TeX}book. Addison-Wesley, Reading, MA (1984)"),
]

_NAMES = ["Introduction", "Related Work", "Method", "Experimental Setup", "Results", "Discussion", "Analysis",
          "Ablations", "Efficiency", "Further Results", "Limitations", "Outlook", "Details", "Deployment"]


def _body(count: int, paragraphs: int, sentences: int, *, ieee: bool) -> str:
    """``count`` sections with subsections, citations, an equation, a TikZ figure and a table."""
    cites = [key for key, _, _ in _REFS]
    parts = []
    for s in range(count):
        name = "Conclusion" if s == count - 1 else _NAMES[s % len(_NAMES)]
        text = [f"\\section{{{name}}}\\label{{sec:{s}}}"]
        for p in range(paragraphs):
            if p == 1:
                text.append(f"\\subsection{{{_NAMES[(s + 3) % len(_NAMES)]} in Detail}}")
            cite = ",".join(cites[(s * 3 + p + k) % len(cites)] for k in range(1 + p % 2))
            text.append(prose(s * 10 + p + 1, sentences) + f" This follows earlier work~\\cite{{{cite}}}.")
            if s == 2 and p == 0:
                text.append("\\begin{equation}\\label{eq:score}\ns(q,d) = \\sum_{i=1}^{n} \\max_{j \\le m} "
                            "\\frac{\\mathbf{q}_i^\\top \\mathbf{d}_j}{\\|\\mathbf{q}_i\\| \\, \\|\\mathbf{d}_j\\|}"
                            " - \\lambda \\, \\lvert P \\rvert\n\\end{equation}\nwhere $P$ is the set of tokens "
                            "kept and $\\lambda$ weighs their cost in (\\ref{eq:score}).")
            if s == 2 and p == 2:
                text.append(_figure(1, ieee))
            if s == 4 and p == 0:
                text.append(_table(ieee))
            if s == 4 and p == 2:
                text.append(_figure(2, ieee))
        parts.append("\n\n".join(text))
    return "\n\n".join(parts)


def _figure(n: int, ieee: bool) -> str:
    width = "\\columnwidth" if ieee else "0.8\\textwidth"
    bars = "".join(f"\\fill[gray!{30 + 10 * k}] ({k * 0.9},0) rectangle ({k * 0.9 + 0.6},{1 + (k * 7 % 5) * 0.5});"
                   f"\\node[below] at ({k * 0.9 + 0.3},0) {{\\scriptsize {k * 10 + 10}\\%}};" for k in range(6))
    return (f"\\begin{{figure}}[tb]\n\\centering\n\\resizebox{{{width}}}{{!}}{{\\begin{{tikzpicture}}"
            f"\\draw[->] (-0.2,0) -- (5.6,0) node[right] {{\\scriptsize kept}};"
            f"\\draw[->] (0,-0.2) -- (0,3.8) node[above] {{\\scriptsize mJ/query}};{bars}"
            f"\\draw[thick,blue] (0.3,3.2) -- (1.2,2.6) -- (2.1,2.2) -- (3.0,1.9) -- (3.9,1.7) -- (4.8,1.6);"
            f"\\end{{tikzpicture}}}}\n\\caption{{Energy per query against the share of visual tokens kept "
            f"(setting {n}); the line is the recall at 10.}}\n\\label{{fig:{n}}}\n\\end{{figure}}")


def _table(ieee: bool) -> str:
    caption = ("\\caption{Recall at 10 and cost on MSCOCO-5K and Flickr30K}" if ieee else
               "\\caption{Recall at 10 and cost on MSCOCO-5K and Flickr30K.}")
    rows = [("CLIP ViT-B/16", "58.4", "86.2", "41.3", "1.00"), ("DynamicViT", "56.9", "85.0", "27.5", "0.71"),
            ("ToMe", "57.2", "85.4", "25.8", "0.66"), ("Ours ($r=0.5$)", "\\textbf{58.1}", "\\textbf{86.0}",
                                                       "\\textbf{19.7}", "\\textbf{0.52}")]
    body = "\n".join(" & ".join(r) + " \\\\" for r in rows)
    return (f"\\begin{{table}}[tb]\n{caption}\n\\label{{tab:main}}\n\\centering\n"
            f"\\begin{{tabular}}{{|l|c|c|c|c|}}\n\\hline\n\\textbf{{Method}} & \\textbf{{COCO}} & "
            f"\\textbf{{F30K}} & \\textbf{{ms}} & \\textbf{{Energy}} \\\\\n\\hline\n{body}\n\\hline\n"
            f"\\end{{tabular}}\n\\end{{table}}")


def ieee_paper(*, sections: int = 6, paragraphs: int = 5, sentences: int = 10, options: str = "conference",
               pubid: str = "", template_text: bool = False, authors: int = 4) -> str:
    """A paper from IEEE's conference template (``conference_101719.tex``, bare_conf.tex)."""
    blocks = []
    for i, (name, dept, org, city, mail, orcid) in enumerate(_IEEE_AUTHORS[:authors]):
        if template_text:
            ordinal = ["1\\textsuperscript{st}", "2\\textsuperscript{nd}", "3\\textsuperscript{rd}",
                       f"{i + 1}\\textsuperscript{{th}}"][min(i, 3)]
            blocks.append(f"\\IEEEauthorblockN{{{ordinal} {name}}}\n\\IEEEauthorblockA{{\\textit{{dept. name of "
                          f"organization (of Aff.)}} \\\\\n\\textit{{name of organization (of Aff.)}}\\\\\nCity, "
                          f"Country \\\\\nemail address or ORCID}}")
        else:
            blocks.append(f"\\IEEEauthorblockN{{{name}}}\n\\IEEEauthorblockA{{\\textit{{{dept}}} \\\\\n"
                          f"\\textit{{{org}}}\\\\\n{city} \\\\\n{mail} \\\\\nORCID: {orcid}}}")
    thanks = ("Identify applicable funding agency here. If none, delete this." if template_text else
              "This work was supported by the Engineering and Physical Sciences Research Council under grant "
              "EP/X012345/1.")
    subtitle = ("*\\\\\n{\\footnotesize \\textsuperscript{*}Note: Sub-titles are not captured in Xplore and "
                "should not be used}") if template_text else ""
    pubid_text = ""
    if pubid:
        pubid_text = (f"\\IEEEpubid{{\\makebox[\\columnwidth]{{{pubid}~\\copyright2025 IEEE \\hfill}} "
                      f"\\hspace{{\\columnsep}}\\makebox[\\columnwidth]{{ }}}}")
    bib = "\n".join(f"\\bibitem{{{key}}}\n{entry}" for key, entry, _ in _REFS)
    return "\n".join([
        f"\\documentclass[{options}]{{IEEEtran}}", r"\IEEEoverridecommandlockouts",
        r"\usepackage{cite}", r"\usepackage{amsmath,amssymb,amsfonts}", r"\usepackage{algorithmic}",
        r"\usepackage{graphicx}", r"\usepackage{textcomp}", r"\usepackage{xcolor}", r"\usepackage{tikz}",
        r"\usepackage{url}",
        r"\begin{document}",
        f"\\title{{{IEEE_TITLE}{subtitle}\\\\\n\\thanks{{{thanks}}}\n}}",
        "\\author{" + "\n\\and\n".join(blocks) + "}", r"\maketitle", pubid_text,
        r"\begin{abstract}", prose(99, 8), r"\end{abstract}",
        r"\begin{IEEEkeywords}", "token pruning, multimodal retrieval, energy efficiency, edge computing, "
        "vision transformers", r"\end{IEEEkeywords}",
        r"\IEEEpubidadjcol" if pubid else "",
        _body(sections, paragraphs, sentences, ieee=True),
        r"\section*{Acknowledgment}", "The authors thank the anonymous reviewers for their comments.",
        r"\begin{thebibliography}{00}", r"\providecommand{\url}[1]{#1}", bib, r"\end{thebibliography}",
        (r"\vspace{12pt}" "\n" r"\color{red}" "\nIEEE conference templates contain guidance text for composing and "
         "formatting conference papers. Please ensure that all template text is removed from your conference paper "
         "prior to submission to the conference. Failure to remove the template text from your paper may result in "
         "your paper not being published.") if template_text else "",
        r"\end{document}"])


_LNCS_AUTHORS = r"""\author{Ada Lovelace\inst{1}\orcidID{0000-0002-1825-0097} \and
Alan Turing\inst{2,3}\orcidID{0000-0001-5109-3700} \and
Grace Hopper\inst{3}\orcidID{0000-0003-1234-5678}}
\authorrunning{A. Lovelace et al.}
\institute{University of Glasgow, Glasgow G12 8QQ, United Kingdom \and
University of Manchester, Oxford Road, Manchester M13 9PL, United Kingdom
\email{alan.turing@example.org}\\
\url{https://www.example.org/turing} \and
Yale University, New Haven CT 06520, USA\\
\email{\{grace.hopper,hopper.lab\}@example.org}}"""

_LNCS_SAMPLE_AUTHORS = r"""\author{First Author\inst{1}\orcidID{0000-1111-2222-3333} \and
Second Author\inst{2,3}\orcidID{1111-2222-3333-4444} \and
Third Author\inst{3}\orcidID{2222--3333-4444-5555}}
\authorrunning{F. Author et al.}
\institute{Princeton University, Princeton NJ 08544, USA \and
Springer Heidelberg, Tiergartenstr. 17, 69121 Heidelberg, Germany
\email{lncs@springer.com}\\
\url{http://www.springer.com/gp/computer-science/lncs} \and
ABC Institute, Rupert-Karls-University Heidelberg, Heidelberg, Germany\\
\email{\{abc,lncs\}@uni-heidelberg.de}}"""

_LNCS_SAMPLE_TEXT = r"""\subsection{A Subsection Sample}
Please note that the first paragraph of a section or subsection is
not indented. The first paragraph that follows a table, figure,
equation etc. does not need an indentation, either.

Subsequent paragraphs, however, are indented.

\subsubsection{Sample Heading (Third Level)} Only two levels of
headings should be numbered. Lower level headings remain unnumbered;
they are formatted as run-in headings.

\paragraph{Sample Heading (Fourth Level)}
The contribution should contain no more than four levels of
headings. Table~\ref{tab1} gives a summary of all heading levels.
"""


def lncs_paper(*, sections: int = 7, paragraphs: int = 6, sentences: int = 9, options: str = "runningheads",
               sample_text: bool = False) -> str:
    """A paper from Springer's LNCS template (``samplepaper.tex``, llncs with running heads)."""
    bib = "\n".join(f"\\bibitem{{{key}}}\n{entry}" for key, _, entry in _REFS)
    title = (r"\title{Contribution Title\thanks{Supported by organization x.}}" "\n"
             r"\titlerunning{Abbreviated paper title}") if sample_text else (
        f"\\title{{{LNCS_TITLE}\\thanks{{Supported by the Engineering and Physical Sciences Research Council "
        f"(EP/X012345/1).}}}}\n\\titlerunning{{Learned Sparse Codes for Cross-Modal Retrieval}}")
    abstract = ("The abstract should briefly summarize the contents of the paper in\n150--250 words."
                if sample_text else prose(99, 10))
    keywords = ("First keyword  \\and Second keyword \\and Another keyword." if sample_text else
                "Cross-modal retrieval \\and Sparse representations \\and Efficiency.")
    body = _body(sections, paragraphs, sentences, ieee=False)
    if sample_text:
        body = body.replace("\\label{sec:0}", "\\label{sec:0}\n" + _LNCS_SAMPLE_TEXT.replace("tab1", "tab:main"), 1)
    return "\n".join([
        f"\\documentclass[{options}]{{llncs}}", r"\usepackage[T1]{fontenc}", r"\usepackage{graphicx}",
        r"\usepackage{amsmath}", r"\usepackage{amssymb}", r"\usepackage{tikz}", r"\usepackage{url}",
        r"\begin{document}", title,
        _LNCS_SAMPLE_AUTHORS if sample_text else _LNCS_AUTHORS, r"\maketitle",
        r"\begin{abstract}", abstract, r"\keywords{" + keywords + "}", r"\end{abstract}",
        body,
        r"\subsubsection*{Acknowledgments.} We thank the reviewers for their comments.",
        r"\subsubsection*{Disclosure of Interests.} The authors have no competing interests to declare that are "
        r"relevant to the content of this article.",
        r"\begin{thebibliography}{8}", bib, r"\end{thebibliography}", r"\end{document}"])


VARIANTS: dict[str, str] = {
    "ieee-conf": ieee_paper(),
    "ieee-pubid": ieee_paper(pubid="979-8-3503-1234-5/25/\\$31.00"),
    "ieee-pubid-xx": ieee_paper(pubid="979-8-3503-XXXX-X/25/\\$31.00"),
    "ieee-leftover": ieee_paper(template_text=True),
    "ieee-a4": ieee_paper(options="conference,a4paper"),
    "ieee-long": ieee_paper(sections=10),
    "ieee-six": ieee_paper(authors=6, sections=7),
    "lncs-paper": lncs_paper(options="runningheads,a4paper"),
    "lncs-letter": lncs_paper(),  # samplepaper.tex as it is: graphicx sets US Letter, llncs's default paper size
    "lncs-sample": lncs_paper(options="runningheads,a4paper", sample_text=True),
    "lncs-long": lncs_paper(options="runningheads,a4paper", sections=9),
}
