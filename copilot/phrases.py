"""The sentences the code itself writes into an answer, in ITU's six languages.

An answer is in the language asked: the model is told so, but where the code writes the answer (no
clause answers, no model, the model said nothing or failed) the sentence is the code's, so the code
must have it in every language. The clauses quoted under it stay in the library's language, and
notices (the reason a model is missing, an error's text) stay in the tool's, English. The words
follow ITU's own usage for "clause" in each language (paragraphe, cláusula, пункт, 条款, الفقرة).
"""

from __future__ import annotations

from typing import Literal

from copilot.language import ENGLISH

Phrase = Literal["no_answer", "not_translated", "no_model", "model_failed", "model_silent", "most_relevant"]

PHRASES: dict[Phrase, dict[str, str]] = {
    "no_answer": {
        "en": "The library holds no clause that answers this question.",
        "fr": "La bibliothèque ne contient aucun paragraphe qui réponde à cette question.",
        "es": "La biblioteca no contiene ninguna cláusula que responda a esta pregunta.",
        "ru": "В библиотеке нет пункта, который отвечал бы на этот вопрос.",
        "zh": "文库中没有回答此问题的条款。",
        "ar": "لا تتضمن المكتبة أي فقرة تجيب عن هذا السؤال.",
    },
    "not_translated": {
        "en": "No clause matches the question as it was asked, and it could not be translated into English "
        "to search further.",
        "fr": "Aucun paragraphe ne correspond à la question telle qu'elle a été posée, et elle n'a pas pu "
        "être traduite en anglais pour poursuivre la recherche.",
        "es": "Ninguna cláusula corresponde a la pregunta tal como se formuló, y no se ha podido traducir al "
        "inglés para seguir buscando.",
        "ru": "Ни один пункт не соответствует вопросу в том виде, в каком он задан, а перевести его на "
        "английский язык для дальнейшего поиска не удалось.",
        "zh": "没有条款与所提问题的原文相符，且无法将问题译成英文以作进一步检索。",
        "ar": "لا تتطابق أي فقرة مع السؤال بصيغته المطروحة، وتعذّرت ترجمته إلى الإنكليزية لمواصلة البحث.",
    },
    "no_model": {
        "en": "No language model is available.",
        "fr": "Aucun modèle de langue n'est disponible.",
        "es": "No hay ningún modelo de lenguaje disponible.",
        "ru": "Языковая модель недоступна.",
        "zh": "没有可用的语言模型。",
        "ar": "لا يتوفر نموذج لغوي.",
    },
    "model_failed": {
        "en": "The model failed.",
        "fr": "Le modèle a échoué.",
        "es": "El modelo ha fallado.",
        "ru": "Произошёл сбой модели.",
        "zh": "模型运行失败。",
        "ar": "تعذّر على النموذج الإجابة.",
    },
    "model_silent": {
        "en": "The model did not answer.",
        "fr": "Le modèle n'a pas répondu.",
        "es": "El modelo no ha respondido.",
        "ru": "Модель не дала ответа.",
        "zh": "模型未给出回答。",
        "ar": "لم يُجب النموذج.",
    },
    "most_relevant": {
        "en": "The most relevant clauses:",
        "fr": "Les paragraphes les plus pertinents :",
        "es": "Las cláusulas más pertinentes:",
        "ru": "Наиболее подходящие пункты:",
        "zh": "最相关的条款：",
        "ar": "الفقرات الأكثر صلة:",
    },
}


def phrase(key: Phrase, language: str) -> str:
    """``key``'s sentence in ``language`` (an ISO 639-1 code), in English for a language ITU does not
    work in."""
    return PHRASES[key].get(language, PHRASES[key][ENGLISH])
